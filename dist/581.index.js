const I=581,R=[581],C={5581:((P,d,i)=>{i.r(d),i.d(d,{runCli:()=>j});var l=i(3916),p=i(8422),u=i(1730),g=i(8850),h=i(6163),f=i(5625);const y=`Usage: publish-image <verify|reconcile|plan> [--<input> <value>]... [--json]

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

Inputs: ${Object.keys(p.WJ).filter(n=>n!=="mode").map(n=>`--${n}`).join(" ")}`,E=new Set(["prune","dry-run","simulate","no-cache","push","create-repository","scan-on-push"]);function _(n){const s={};let t=!1;for(let e=0;e<n.length;e++){const r=n[e];if(r==="--json"){t=!0;continue}const o=/^--([a-z-]+)(?:=(.*))?$/.exec(r);if(!o||o[1]==="mode"||!(o[1]in p.WJ))throw new l.y(`${r}: not an input of publish-image. See --help.`);const a=o[1];if(o[2]!==void 0)s[a]=o[2];else if(E.has(a)&&(n[e+1]===void 0||n[e+1].startsWith("--")))s[a]="true";else{if(n[e+1]===void 0)throw new l.y(`--${a}: needs a value.`);s[a]=n[++e]}}return{flags:s,json:t}}function $(n,s){n.plan&&s(`${n.plan.join(`
`)}

`),s(`${(0,g.ku)(["repository","grant","identity","verdict"],n.rows.map(t=>[t.repository,t.grant,t.identity,t.verdict]))}
`);for(const t of n.rows)for(const e of t.findings)s(`
${t.verdict==="drift"?"ERROR":"WARNING"} ${t.repository}: ${e}
`);for(const t of n.warnings)s(`
WARNING ${t}
`);n.extra.length>0&&s(`
Extra (allowlisted, not expected): ${n.extra.join(", ")}
`),s(`
${(0,u.uL)(n)?`DRIFT: ${n.missing.join(", ")||"see above"}`:"In sync."}
`)}async function j(n){const s=(0,f.jl)(),t=o=>process.stdout.write(s.redact(o)),[e,...r]=n;if(!e||e==="--help"||e==="-h"||r.includes("--help"))return t(`${y}
`),e?0:1;try{if((0,u.h8)(),!["verify","reconcile","plan"].includes(e))throw new l.y(`${e}: not a command. Use verify, reconcile or plan (see --help).`);const{flags:o,json:a}=_(r),v=e==="plan"?"reconcile":e;e==="plan"&&(o["dry-run"]="true");const O=(0,p.Ko)(m=>m==="mode"?v:o[m]??"");(0,f.Br)(s);const c=await(0,u.g7)(O,(0,h.g)());a?t(`${JSON.stringify(c,null,2)}
`):$(c,t);const W=e==="plan"&&c.plan!==void 0&&!c.plan[0].startsWith("Plan: no changes");return(0,u.uL)(c)||W?2:0}catch(o){return process.stderr.write(s.redact(`publish-image: ${o instanceof l.y?o.message:`unexpected error (please report it): ${(0,l.g)(o)}`}
`)),1}}})};export{I as id,R as ids,C as modules};
