const x=581,D=[581],W={5581:((P,f,a)=>{a.r(f),a.d(f,{runCli:()=>$});var l=a(3916),p=a(8422),c=a(1730),m=a(8304),h=a(6163),d=a(5625);const y=`Usage: publish-image <verify|reconcile|plan> [--<input> <value>]... [--json]

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

Inputs: ${Object.keys(p.WJ).filter(e=>e!=="mode").map(e=>`--${e}`).join(" ")}`,E=new Set(["prune","dry-run","simulate","no-cache","push","create-repository","scan-on-push"]);function _(e){const s={};let o=!1;for(let n=0;n<e.length;n++){const i=e[n];if(i==="--json"){o=!0;continue}const t=/^--([a-z-]+)(?:=(.*))?$/.exec(i);if(!t||t[1]==="mode"||!(t[1]in p.WJ))throw new l.y(`${i}: not an input of publish-image. See --help.`);const r=t[1];if(t[2]!==void 0)s[r]=t[2];else if(E.has(r)&&(e[n+1]===void 0||e[n+1].startsWith("--")))s[r]="true";else{if(e[n+1]===void 0)throw new l.y(`--${r}: needs a value.`);s[r]=e[++n]}}return{flags:s,json:o}}function j(e,s){e.plan&&s(`${e.plan.text.join(`
`)}

`),s(`${(0,m.ku)(["repository","grant","identity","verdict"],(0,m.QE)(e).map(([o,n,i,,t])=>[o,n,i,t]))}
`);for(const o of(0,m.vO)(e))s(`
${o.severity.toUpperCase()} ${o.subject?`${o.subject}: `:""}${o.message}
`);e.extra.length>0&&s(`
Extra (allowlisted, not expected): ${e.extra.join(", ")}
`),s(`
${(0,c.uL)(e)?`DRIFT: ${e.missing.join(", ")||"see above"}`:"In sync."}
`)}async function $(e){const s=(0,d.jl)(),o=t=>process.stdout.write(s.redact((0,d.y1)(t))),[n,...i]=e;if(!n||n==="--help"||n==="-h"||i.includes("--help"))return o(`${y}
`),n?0:1;try{if((0,c.h8)(),!["verify","reconcile","plan"].includes(n))throw new l.y(`${n}: not a command. Use verify, reconcile or plan (see --help).`);const{flags:t,json:r}=_(i),v=n==="plan"?"reconcile":n;n==="plan"&&(t["dry-run"]="true");const O=(0,p.Ko)(g=>g==="mode"?v:t[g]??"");(0,d.Br)(s);const u=await(0,c.g7)(O,(0,h.g)());r?o(`${JSON.stringify(u,null,2)}
`):j(u,o);const C=n==="plan"&&u.plan?.changes===!0;return(0,c.uL)(u)||C?2:0}catch(t){return process.stderr.write(s.redact(`publish-image: ${t instanceof l.y?t.message:`unexpected error (please report it): ${(0,l.g)(t)}`}
`)),1}}})};export{x as id,D as ids,W as modules};
