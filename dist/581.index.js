const O=581,I=[581],P={5581:((W,d,r)=>{r.r(d),r.d(d,{runCli:()=>$});var l=r(3916),p=r(8422),u=r(1730),m=r(8850),g=r(6163);const h=`Usage: publish-image <verify|reconcile|plan> [--<input> <value>]... [--json]

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

Inputs: ${Object.keys(p.WJ).filter(e=>e!=="mode").map(e=>`--${e}`).join(" ")}`,y=new Set(["prune","dry-run","simulate","no-cache","push","create-repository","scan-on-push"]);function E(e){const s={};let n=!1;for(let t=0;t<e.length;t++){const o=e[t];if(o==="--json"){n=!0;continue}const i=/^--([a-z-]+)(?:=(.*))?$/.exec(o);if(!i||i[1]==="mode"||!(i[1]in p.WJ))throw new l.y(`${o}: not an input of publish-image. See --help.`);const a=i[1];if(i[2]!==void 0)s[a]=i[2];else if(y.has(a)&&(e[t+1]===void 0||e[t+1].startsWith("--")))s[a]="true";else{if(e[t+1]===void 0)throw new l.y(`--${a}: needs a value.`);s[a]=e[++t]}}return{flags:s,json:n}}function _(e,s){e.plan&&s(`${e.plan.join(`
`)}

`),s(`${(0,m.ku)(["repository","grant","identity","verdict"],e.rows.map(n=>[n.repository,n.grant,n.identity,n.verdict]))}
`);for(const n of e.rows)for(const t of n.findings)s(`
${n.verdict==="drift"?"ERROR":"WARNING"} ${n.repository}: ${t}
`);for(const n of e.warnings)s(`
WARNING ${n}
`);e.extra.length>0&&s(`
Extra (allowlisted, not expected): ${e.extra.join(", ")}
`),s(`
${(0,u.uL)(e)?`DRIFT: ${e.missing.join(", ")||"see above"}`:"In sync."}
`)}async function $(e){const s=process.stdout.write.bind(process.stdout),[n,...t]=e;if(!n||n==="--help"||n==="-h"||t.includes("--help"))return s(`${h}
`),n?0:1;try{if((0,u.h8)(),!["verify","reconcile","plan"].includes(n))throw new l.y(`${n}: not a command. Use verify, reconcile or plan (see --help).`);const{flags:o,json:i}=E(t),a=n==="plan"?"reconcile":n;n==="plan"&&(o["dry-run"]="true");const v=(0,p.Ko)(f=>f==="mode"?a:o[f]??"");process.stdout.write=process.stderr.write.bind(process.stderr);const c=await(0,u.g7)(v,(0,g.g)());i?s(`${JSON.stringify(c,null,2)}
`):_(c,s);const j=n==="plan"&&c.plan!==void 0&&!c.plan[0].startsWith("Plan: no changes");return(0,u.uL)(c)||j?2:0}catch(o){return process.stderr.write(`publish-image: ${o instanceof l.y?o.message:`unexpected error (please report it): ${(0,l.g)(o)}`}
`),1}}})};export{O as id,I as ids,P as modules};
