const U=29,F=[29],P={2029:((L,h,a)=>{a.r(h),a.d(h,{runCli:()=>J});var l=a(3916),x=a(7100),$=a(4021),y=a(6867),E=a(7975),m=a(7428);const p=Object.keys(m.WJ).filter(e=>e!=="mode"),f=new Set(p.filter(e=>m.WJ[e]==="true"||m.WJ[e]==="false"));function C(e){const r=[];for(let s=0;s<e.length;s++){const t=/^--([a-z-]+)(?:=(.*))?$/.exec(e[s]),n=t?.[1];if(!t||!n||!f.has(n)){r.push(e[s]);continue}const o=t[2]??(/^(true|false)$/i.test(e[s+1]??"")?e[++s]:"true");if(!/^(true|false)$/i.test(o))throw new l.y(`--${n}: "${o}" is not a boolean. Use --${n}, --no-${n} or --${n}=false.`);r.push(o.toLowerCase()==="true"?`--${n}`:`--no-${n}`)}return r}function R(e){const r={json:{type:"boolean"},help:{type:"boolean"}};for(const n of p)r[n]={type:f.has(n)?"boolean":"string"},f.has(n)&&(r[`no-${n}`]={type:"boolean"});let s;try{({values:s}=(0,E.parseArgs)({args:C(e),options:r,strict:!0,allowPositionals:!1}))}catch(n){const o=n.message.replace(/\. To specify an option argument starting with a dash.*$/,"");throw new l.y(`${o}. See --help for the inputs.`)}const t={};for(const n of p)s[`no-${n}`]===!0?t[n]="false":s[n]!==void 0&&(t[n]=String(s[n]));return{inputs:t,json:s.json===!0,help:s.help===!0}}function O(){return p.map(e=>f.has(e)?`--[no-]${e}`:`--${e}`).join(" ")}var d=a(6340),W=a(6058),A=a(2517),v=a(2794),j=a(5625),i=a(1768);function I(e=process.stderr){const r=e.isTTY===!0&&!process.env.NO_COLOR,s=t=>r?t.replace(/^(ERROR|WARNING) /gm,(n,o)=>`${o==="ERROR"?"\x1B[31m":"\x1B[33m"}${o}\x1B[0m `):t;return(0,j.N9)(t=>e.write(s(t)))}const T=`Usage: publish-image <verify|reconcile|plan> [--<input> <value>]... [--json]

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

Inputs: ${O()}`;function N(e,r){const s=(0,v.HN)(e);s&&r(`${s.join(`
`)}

`),r(`${(0,d.ku)(["repository","grant","identity","verdict"],(0,d.QE)(e).map(([n,o,c,,g])=>[n,o,c,g]))}
`);for(const n of(0,d.vO)(e))r(`
${n.severity.toUpperCase()} ${n.subject?`${n.subject}: `:""}${n.message}
`);const t=n=>n.map(o=>(0,i.tJ)(o,256)).join(", ");e.extra.length>0&&r(`
Extra (allowlisted, not expected): ${t(e.extra)}
`),r(`
${(0,y.u)(e)?`DRIFT: ${t(e.missing)||"see above"}`:"In sync."}
`)}async function J(e){const r=I(),s=o=>process.stdout.write((0,i.y1)((0,i.Hk)(r.redact(o)))),[t,...n]=e;if(!t||t==="--help"||t==="-h"||n.includes("--help")||n.includes("-h"))return s(`${T}
`),t?0:1;try{if((0,$.h)(),!["verify","reconcile","plan"].includes(t))throw new l.y(`${t}: not a command. Use verify, reconcile or plan (see --help).`);(0,j.Br)(r);const{inputs:o,json:c}=R(n),g=t==="plan"?"reconcile":t;t==="plan"&&(o["dry-run"]="true");const b=(0,x.s)(S=>S==="mode"?g:o[S]??"",(0,W.$)()),u=await(0,$.r)(b,{dockerConfig:{save:()=>{},remove:()=>{}}});c?s(`${(0,v.l4)(u)}
`):N(u,s);const H=t==="plan"&&u.plan!==void 0&&(0,A.Z)(u.plan.plan);return(0,y.u)(u)||H?2:0}catch(o){const c=o instanceof l.y?o.message:`unexpected error (please report it): ${(0,i.tJ)((0,l.g)(o),1e3)}`;return process.stderr.write((0,i.y1)((0,i.Hk)(r.redact(`publish-image: ${c}
`)))),1}}})};export{U as id,F as ids,P as modules};
