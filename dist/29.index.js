const J=29,L=[29],U={2029:((N,m,a)=>{a.r(m),a.d(m,{runCli:()=>W});var i=a(3916),l=a(1729),g=a(3311),d=a(6867),y=a(7975);const c=Object.keys(l.WJ).filter(e=>e!=="mode"),u=new Set(c.filter(e=>l.WJ[e]==="true"||l.WJ[e]==="false"));function v(e){const o=[];for(let t=0;t<e.length;t++){const s=/^--([a-z-]+)(?:=(.*))?$/.exec(e[t]),n=s?.[1];if(!s||!n||!u.has(n)){o.push(e[t]);continue}const r=s[2]??(/^(true|false)$/i.test(e[t+1]??"")?e[++t]:"true");if(!/^(true|false)$/i.test(r))throw new i.y(`--${n}: "${r}" is not a boolean. Use --${n}, --no-${n} or --${n}=false.`);o.push(r.toLowerCase()==="true"?`--${n}`:`--no-${n}`)}return o}function x(e){const o={json:{type:"boolean"},help:{type:"boolean"}};for(const n of c)o[n]={type:u.has(n)?"boolean":"string"},u.has(n)&&(o[`no-${n}`]={type:"boolean"});let t;try{({values:t}=(0,y.parseArgs)({args:v(e),options:o,strict:!0,allowPositionals:!1}))}catch(n){const r=n.message.replace(/\. To specify an option argument starting with a dash.*$/,"");throw new i.y(`${r}. See --help for the inputs.`)}const s={};for(const n of c)t[`no-${n}`]===!0?s[n]="false":t[n]!==void 0&&(s[n]=String(t[n]));return{inputs:s,json:t.json===!0,help:t.help===!0}}function S(){return c.map(e=>u.has(e)?`--[no-]${e}`:`--${e}`).join(" ")}var f=a(6340),j=a(6860),h=a(5625),E=a(1768);function R(e=process.stderr){const o=e.isTTY===!0&&!process.env.NO_COLOR,t=s=>o?s.replace(/^(ERROR|WARNING) /gm,(n,r)=>`${r==="ERROR"?"\x1B[31m":"\x1B[33m"}${r}\x1B[0m `):s;return(0,h.N9)(s=>e.write(t(s)))}const C=`Usage: publish-image <verify|reconcile|plan> [--<input> <value>]... [--json]

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

Inputs: ${S()}`;function O(e,o){e.plan&&o(`${e.plan.text.join(`
`)}

`),o(`${(0,f.ku)(["repository","grant","identity","verdict"],(0,f.QE)(e).map(([t,s,n,,r])=>[t,s,n,r]))}
`);for(const t of(0,f.vO)(e))o(`
${t.severity.toUpperCase()} ${t.subject?`${t.subject}: `:""}${t.message}
`);e.extra.length>0&&o(`
Extra (allowlisted, not expected): ${e.extra.join(", ")}
`),o(`
${(0,d.u)(e)?`DRIFT: ${e.missing.join(", ")||"see above"}`:"In sync."}
`)}async function W(e){const o=R(),t=r=>process.stdout.write(o.redact((0,E.y1)(r))),[s,...n]=e;if(!s||s==="--help"||s==="-h"||n.includes("--help")||n.includes("-h"))return t(`${C}
`),s?0:1;try{if((0,g.h)(),!["verify","reconcile","plan"].includes(s))throw new i.y(`${s}: not a command. Use verify, reconcile or plan (see --help).`);(0,h.Br)(o);const{inputs:r,json:b}=x(n),A=s==="plan"?"reconcile":s;s==="plan"&&(r["dry-run"]="true");const I=(0,l.Ko)($=>$==="mode"?A:r[$]??""),p=await(0,g.g)(I,(0,j.g)());b?t(`${JSON.stringify(p,null,2)}
`):O(p,t);const T=s==="plan"&&p.plan?.changes===!0;return(0,d.u)(p)||T?2:0}catch(r){return process.stderr.write(o.redact(`publish-image: ${r instanceof i.y?r.message:`unexpected error (please report it): ${(0,i.g)(r)}`}
`)),1}}})};export{J as id,L as ids,U as modules};
