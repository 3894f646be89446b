import { regionOf, repositoryArn } from './arn.js';
import type { RepositoryTags } from './checks/judge.js';
import type { NotChecked, RepositoryVerdict } from './checks/model.js';
import { judgeRepository, missingRepositoryVerdict } from './checks/verdict.js';
import type { CellFacts, PullerFacts, ReadingSession, RepositoryState } from './facts.js';
import { allowlistEntries, coveredBy, INLINE_POLICIES_LIMIT } from './policy/allowlist.js';
import { iamPolicyLength } from './policy/document.js';
import { publicGrants } from './policy/repository-grant.js';
import { pullerAt, type PullerAtPlace } from './puller-at-place.js';
import { pullerNeeds, type GrantSettings, type PullerSettings } from './pullers.js';
import { judgeReplicaCells, type RegionLogin } from './replica-cells.js';
import { ownedOf } from './repository-state.js';
import type { Warning } from './results.js';

/**
 * Every (puller, region, repository) cell judged from the facts read once (services/survey.ts reads
 * them): the registry's own region here, the other regions' replicas in replica-cells.ts. Pure: facts
 * in, verdicts, warnings and what was not checked out, as data; the words are the report's.
 */

/** What judging needs of the settings: the registry's region and the grant the run writes. */
export interface CellSettings {
  registry: { region: string };
  grant: GrantSettings;
}

/** One puller's cells: what it must pull, how it was judged, and its allowlist's own findings. */
export interface PullerCells<Session extends ReadingSession = ReadingSession> {
  settings: PullerSettings;
  facts: PullerFacts<Session>;
  /** The puller judged at the registry the run is about. */
  placed: PullerAtPlace<Session>;
  /** The expected repositories it must pull. */
  repositories: string[];
  /** One verdict per (region, repository) it must pull. */
  verdicts: RepositoryVerdict[];
  /** Repositories its allowlist names explicitly that nothing expects. */
  extra: string[];
  wildcards: { pattern: string; covers: string[] }[];
  /** Length of every inline policy of the role together (whitespace not counted). */
  inlineLength: number;
  /** Its login in each region it pulls in (undefined: nothing there to judge it with). */
  logins: RegionLogin[];
}

/**
 * An allowlist near IAM's limit for a role's inline policies together (IAM User Guide, "IAM and AWS STS
 * quotas") is warned of at 80 %, before a write fails on it.
 */
const ALLOWLIST_SIZE_WARNING = 0.8;

/** The cells of one puller in the registry's own region, and what its allowlist says beside them. */
export function judgeHomeCells(
  settings: CellSettings,
  registryId: string,
  facts: PullerFacts,
  placed: PullerAtPlace,
  expected: string[],
  states: Map<string, RepositoryState | undefined>,
  tags: Map<string, RepositoryTags>,
): Pick<PullerCells, 'repositories' | 'verdicts' | 'extra' | 'wildcards' | 'inlineLength'> & { warnings: Warning[] } {
  const { region } = settings.registry;
  const repositories = expected.filter((repository) => pullerNeeds(facts.settings, repository));
  const verdicts = repositories.map((repository) => {
    const state = states.get(repository);
    if (!state) return missingRepositoryVerdict(repository, repositoryArn(region, registryId, repository), placed);
    return judgeRepository({ repository, arn: state.arn, policy: state.policy, tags: tags.get(state.arn), owned: ownedOf(settings.grant, state) }, placed);
  });
  const entries = allowlistEntries(
    facts.documents.map((policy) => policy.document),
    region,
    registryId,
    settings.grant.actions,
  );
  const warnings: Warning[] = [];
  const inlineLength = facts.documents.filter((policy) => policy.inlineName).reduce((sum, policy) => sum + iamPolicyLength(policy.document), 0);
  if (inlineLength > ALLOWLIST_SIZE_WARNING * INLINE_POLICIES_LIMIT)
    warnings.push({ kind: 'allowlist-size', used: inlineLength, limit: INLINE_POLICIES_LIMIT });
  const wildcards = entries.wildcards.map((pattern) => ({ pattern, covers: coveredBy(pattern, repositories, region, registryId) }));
  // An extra is a repository nothing expects of this puller (another puller's repository is one too).
  const mine = new Set(repositories);
  return { repositories, verdicts, extra: entries.explicit.filter((name) => !mine.has(name)), wildcards, inlineLength, warnings };
}

/** Each distinct reason said once, however many pullers or places found it. */
export function onceEach(items: NotChecked[]): NotChecked[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = `${item.what}\u0000${item.reason}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** Judges every (puller, region, repository) from what was read: each puller's cells region by region, as it lists them. */
export function judgeCells<Session extends ReadingSession>(
  settings: CellSettings,
  facts: CellFacts<Session>,
): { pullers: PullerCells<Session>[]; warnings: Warning[]; notChecked: NotChecked[] } {
  const { region } = settings.registry;
  const { registryId, states } = facts;
  const placedPullers = facts.pullerFacts.map((puller) => pullerAt(puller, facts.home));
  const replicaCells = judgeReplicaCells(facts, { region, registryId }, settings.grant);
  const warnings: Warning[] = [];
  for (const state of states.values()) {
    if (!state) continue;
    for (const grant of publicGrants(state.policy, settings.grant.sid, state.repository)) warnings.push({ kind: 'public-grant', grant });
  }
  const pullers = facts.pullerFacts.map((puller, index): PullerCells<Session> => {
    const { warnings: own, ...judged } = judgeHomeCells(settings, registryId, puller, placedPullers[index], facts.repositories, states, facts.tags);
    warnings.push(...own);
    // Region by region, as the puller lists them; the registry's own region is judged above.
    const verdicts = puller.settings.regions.flatMap((pulledIn) =>
      pulledIn === region
        ? judged.verdicts
        : replicaCells.verdicts.filter((verdict) => verdict.puller === puller.settings.name && regionOf(verdict.arn) === pulledIn),
    );
    // The login in each region it pulls in: the registry's own region from the model above, the others from their replicas.
    const elsewhere = replicaCells.logins.get(puller.settings.name) ?? [];
    const logins = puller.settings.regions.map((pulledIn) =>
      pulledIn === region
        ? { region, login: placedPullers[index].role.login }
        : (elsewhere.find((login) => login.region === pulledIn) ?? { region: pulledIn, login: undefined }),
    );
    return { settings: puller.settings, facts: puller, placed: placedPullers[index], ...judged, verdicts, logins };
  });
  const notChecked = onceEach([...placedPullers.flatMap((placed) => placed.notChecked), ...facts.notChecked, ...replicaCells.notChecked]);
  return { pullers, warnings, notChecked };
}
