/** verify's own sentences (its findings are in findings.ts). */
export const verifyText = {
  layerNotJudged: (repository: string, expected: number) =>
    `proposed-layer: repository ${repository} is not one this run judges (${expected} expected), so the document would change nothing. Name an expected repository.`,
  judgedProposed: (file: string, changes: number, unknowns: number) =>
    `Judged the proposed state of ${file}: ${changes} change(s)${unknowns > 0 ? `, ${unknowns} value(s) known only after apply` : ''}.`,
};
