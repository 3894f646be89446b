const N=29,L=[29],U={2029:((J,d,r)=>{r.r(d),r.d(d,{runCli:()=>b});var l=r(3916),u=r(1729),h=r(3311),$=r(6867),x=r(7975);const p=Object.keys(u.WJ).filter(n=>n!=="mode"),m=new Set(p.filter(n=>u.WJ[n]==="true"||u.WJ[n]==="false"));function S(n){const o=[];for(let s=0;s<n.length;s++){const e=/^--([a-z-]+)(?:=(.*))?$/.exec(n[s]),t=e?.[1];if(!e||!t||!m.has(t)){o.push(n[s]);continue}const a=e[2]??(/^(true|false)$/i.test(n[s+1]??"")?n[++s]:"true");if(!/^(true|false)$/i.test(a))throw new l.y(`--${t}: "${a}" is not a boolean. Use --${t}, --no-${t} or --${t}=false.`);o.push(a.toLowerCase()==="true"?`--${t}`:`--no-${t}`)}return o}function j(n){const o={json:{type:"boolean"},help:{type:"boolean"}};for(const t of p)o[t]={type:m.has(t)?"boolean":"string"},m.has(t)&&(o[`no-${t}`]={type:"boolean"});let s;try{({values:s}=(0,x.parseArgs)({args:S(n),options:o,strict:!0,allowPositionals:!1}))}catch(t){const a=t.message.replace(/\. To specify an option argument starting with a dash.*$/,"");throw new l.y(`${a}. See --help for the inputs.`)}const e={};for(const t of p)s[`no-${t}`]===!0?e[t]="false":s[t]!==void 0&&(e[t]=String(s[t]));return{inputs:e,json:s.json===!0,help:s.help===!0}}function E(){return p.map(n=>m.has(n)?`--[no-]${n}`:`--${n}`).join(" ")}var g=r(6340),R=r(6860),y=r(5625),i=r(1768);function C(n=process.stderr){const o=n.isTTY===!0&&!process.env.NO_COLOR,s=e=>o?e.replace(/^(ERROR|WARNING) /gm,(t,a)=>`${a==="ERROR"?"\x1B[31m":"\x1B[33m"}${a}\x1B[0m `):e;return(0,y.N9)(e=>n.write(s(e)))}const O=`Usage: publish-image <verify|reconcile|plan> [--<input> <value>]... [--json]

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

Inputs: ${E()}`;function W(n,o){n.plan&&o(`${n.plan.text.join(`
`)}

`),o(`${(0,g.ku)(["repository","grant","identity","verdict"],(0,g.QE)(n).map(([e,t,a,,c])=>[e,t,a,c]))}
`);for(const e of(0,g.vO)(n))o(`
${e.severity.toUpperCase()} ${e.subject?`${e.subject}: `:""}${e.message}
`);const s=e=>e.map(t=>(0,i.tJ)(t,256)).join(", ");n.extra.length>0&&o(`
Extra (allowlisted, not expected): ${s(n.extra)}
`),o(`
${(0,$.u)(n)?`DRIFT: ${s(n.missing)||"see above"}`:"In sync."}
`)}async function b(n){const o=C(),s=a=>process.stdout.write((0,i.y1)((0,i.Hk)(o.redact(a)))),[e,...t]=n;if(!e||e==="--help"||e==="-h"||t.includes("--help")||t.includes("-h"))return s(`${O}
`),e?0:1;try{if((0,h.h)(),!["verify","reconcile","plan"].includes(e))throw new l.y(`${e}: not a command. Use verify, reconcile or plan (see --help).`);(0,y.Br)(o);const{inputs:a,json:c}=j(t),A=e==="plan"?"reconcile":e;e==="plan"&&(a["dry-run"]="true");const I=(0,u.Ko)(v=>v==="mode"?A:a[v]??""),f=await(0,h.g)(I,(0,R.g)());c?s(`${(0,i.oi)(f,2)}
`):W(f,s);const T=e==="plan"&&f.plan?.changes===!0;return(0,$.u)(f)||T?2:0}catch(a){const c=a instanceof l.y?a.message:`unexpected error (please report it): ${(0,i.tJ)((0,l.g)(a),1e3)}`;return process.stderr.write((0,i.y1)((0,i.Hk)(o.redact(`publish-image: ${c}
`)))),1}}})};export{N as id,L as ids,U as modules};
