export const id = 983;
export const ids = [983];
export const modules = {

/***/ 2983:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   simulateIdentity: () => (/* binding */ simulateIdentity)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_iam__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6764);

/**
 * Optional cross-check of the identity side with IAM's own simulator, which also sees permission
 * boundaries and SCPs. It cannot judge the repository policy for a role caller, and SCP conditions
 * can make it deny falsely, so a disagreement is a warning; the local evaluator stays the gate.
 */
async function simulateIdentity(iam, roleArn, repositoryArn, pullActions, localStatus) {
    let decisions;
    try {
        const response = await iam.send(new _aws_sdk_client_iam__WEBPACK_IMPORTED_MODULE_0__/* .SimulatePrincipalPolicyCommand */ .kUw({ PolicySourceArn: roleArn, ActionNames: pullActions, ResourceArns: [repositoryArn] }));
        decisions = (response.EvaluationResults ?? []).map((result) => ({ action: result.EvalActionName ?? '?', decision: result.EvalDecision ?? '?' }));
    }
    catch (error) {
        const code = error.name;
        return `simulate: could not cross-check ${repositoryArn} with iam:SimulatePrincipalPolicy (${code}: ${error.message?.split('\n')[0]}). Allow iam:SimulatePrincipalPolicy on ${roleArn}, or turn simulate off; the local verdict stands.`;
    }
    const simulatorAllows = decisions.length === pullActions.length && decisions.every((entry) => entry.decision === 'allowed');
    const localAllows = localStatus === 'ok';
    if (simulatorAllows === localAllows)
        return undefined;
    const detail = decisions.map((entry) => `${entry.action}=${entry.decision}`).join(', ');
    return `simulate: IAM's simulator and the local evaluator disagree on ${repositoryArn} for ${roleArn} (simulator: ${detail}; local: ${localStatus}). A permission boundary, an SCP or a condition key may explain it; the local verdict stands.`;
}


/***/ })

};
