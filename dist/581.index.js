export const id = 581;
export const ids = [581];
export const modules = {

/***/ 5581:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   runCli: () => (/* binding */ runCli)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3916);
/* harmony import */ var _inputs_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8422);
/* harmony import */ var _main_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1730);
/* harmony import */ var _report_report_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(8850);
/* harmony import */ var _runner_context_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(6163);





const USAGE = `Usage: publish-image <verify|reconcile|plan> [--<input> <value>]... [--json]

The same checks as the action, from a terminal. Flags are the action's inputs, e.g.
  publish-image verify --aws-region us-east-2 --registry-id 153263036946 \\
    --manifest manifest.json --repository-template 'molecule-ai/workspace-template-{name}' \\
    --extra-repositories molecule-ai/molecule-platform-agent \\
    --staging-role-arn arn:aws:iam::004947743811:role/MoleculeTenantEICRole-staging \\
    --staging-policy-name WorkspaceTemplatePrimaryECRPull
  publish-image plan ...        reconcile's plan only (dry run)
  publish-image reconcile ...   apply it (--prune also removes extras)

Credentials and endpoints come from the usual AWS variables (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...).
--json prints the report as JSON on stdout (logs go to stderr).
Exit status: 0 in sync, 2 drift (or, for plan, changes to make), 1 error.

Inputs: ${Object.keys(_inputs_js__WEBPACK_IMPORTED_MODULE_1__/* .INPUT_DEFAULTS */ .WJ).filter((name) => name !== 'mode').map((name) => `--${name}`).join(' ')}`;
const SWITCHES = new Set(['prune', 'dry-run', 'simulate', 'no-cache', 'push', 'create-repository', 'scan-on-push']);
function parseFlags(args) {
    const flags = {};
    let json = false;
    for (let index = 0; index < args.length; index++) {
        const arg = args[index];
        if (arg === '--json') {
            json = true;
            continue;
        }
        const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
        if (!match || match[1] === 'mode' || !(match[1] in _inputs_js__WEBPACK_IMPORTED_MODULE_1__/* .INPUT_DEFAULTS */ .WJ))
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .y(`${arg}: not an input of publish-image. See --help.`);
        const name = match[1];
        if (match[2] !== undefined)
            flags[name] = match[2];
        else if (SWITCHES.has(name) && (args[index + 1] === undefined || args[index + 1].startsWith('--')))
            flags[name] = 'true';
        else if (args[index + 1] === undefined)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .y(`--${name}: needs a value.`);
        else
            flags[name] = args[++index];
    }
    return { flags, json };
}
function printHuman(report, write) {
    if (report.plan)
        write(`${report.plan.join('\n')}\n\n`);
    write(`${(0,_report_report_js__WEBPACK_IMPORTED_MODULE_3__/* .formatTable */ .ku)(['repository', 'grant', 'identity', 'verdict'], report.rows.map((row) => [row.repository, row.grant, row.identity, row.verdict]))}\n`);
    for (const row of report.rows)
        for (const finding of row.findings)
            write(`\n${row.verdict === 'drift' ? 'ERROR' : 'WARNING'} ${row.repository}: ${finding}\n`);
    for (const warning of report.warnings)
        write(`\nWARNING ${warning}\n`);
    if (report.extra.length > 0)
        write(`\nExtra (allowlisted, not expected): ${report.extra.join(', ')}\n`);
    write(`\n${(0,_main_js__WEBPACK_IMPORTED_MODULE_2__/* .hasDrift */ .uL)(report) ? `DRIFT: ${report.missing.join(', ') || 'see above'}` : 'In sync.'}\n`);
}
/** `publish-image verify|reconcile|plan`: exit 0 in sync, 2 drift, 1 error (like terraform plan -detailed-exitcode). */
async function runCli(args) {
    const stdout = process.stdout.write.bind(process.stdout);
    const [command, ...rest] = args;
    if (!command || command === '--help' || command === '-h' || rest.includes('--help')) {
        stdout(`${USAGE}\n`);
        return command ? 0 : 1;
    }
    try {
        (0,_main_js__WEBPACK_IMPORTED_MODULE_2__/* .assertNodeVersion */ .h8)();
        if (!['verify', 'reconcile', 'plan'].includes(command))
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .y(`${command}: not a command. Use verify, reconcile or plan (see --help).`);
        const { flags, json } = parseFlags(rest);
        const mode = command === 'plan' ? 'reconcile' : command;
        if (command === 'plan')
            flags['dry-run'] = 'true';
        const inputs = (0,_inputs_js__WEBPACK_IMPORTED_MODULE_1__/* .readInputs */ .Ko)((name) => (name === 'mode' ? mode : (flags[name] ?? '')));
        // Logs (groups, progress) go to stderr; stdout carries only the answer.
        process.stdout.write = process.stderr.write.bind(process.stderr);
        const report = await (0,_main_js__WEBPACK_IMPORTED_MODULE_2__/* .execute */ .g7)(inputs, (0,_runner_context_js__WEBPACK_IMPORTED_MODULE_4__/* .readRunnerContext */ .g)());
        if (json)
            stdout(`${JSON.stringify(report, null, 2)}\n`);
        else
            printHuman(report, stdout);
        const pending = command === 'plan' && report.plan !== undefined && !report.plan[0].startsWith('Plan: no changes');
        return (0,_main_js__WEBPACK_IMPORTED_MODULE_2__/* .hasDrift */ .uL)(report) || pending ? 2 : 0;
    }
    catch (error) {
        process.stderr.write(`publish-image: ${error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .y ? error.message : `unexpected error (please report it): ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .errorMessage */ .g)(error)}`}\n`);
        return 1;
    }
}


/***/ })

};
