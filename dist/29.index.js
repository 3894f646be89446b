const G=29,Y=[29],D={2029:((z,v,a)=>{a.r(v),a.d(v,{runCli:()=>U});var i=a(3916),C=a(7100),x=a(4021),S=a(6867),T=a(7975),g=a(7428);const m=Object.keys(g.WJ).filter(e=>e!=="mode"),p=new Set(m.filter(e=>g.WJ[e]==="true"||g.WJ[e]==="false")),j=["text","json","terraform"];function O(e){const o=[];for(let n=0;n<e.length;n++){const s=/^--([a-z-]+)(?:=(.*))?$/.exec(e[n]),r=s?.[1];if(!s||!r||!p.has(r)){o.push(e[n]);continue}const t=s[2]??(/^(true|false)$/i.test(e[n+1]??"")?e[++n]:"true");if(!/^(true|false)$/i.test(t))throw new i.y(`--${r}: "${t}" is not a boolean. Use --${r}, --no-${r} or --${r}=false.`);o.push(t.toLowerCase()==="true"?`--${r}`:`--no-${r}`)}return o}function F(e){const o={json:{type:"boolean"},help:{type:"boolean"},format:{type:"string"}};for(const t of m)o[t]={type:p.has(t)?"boolean":"string"},p.has(t)&&(o[`no-${t}`]={type:"boolean"});let n;try{({values:n}=(0,T.parseArgs)({args:O(e),options:o,strict:!0,allowPositionals:!1}))}catch(t){const u=t.message.replace(/\. To specify an option argument starting with a dash.*$/,"");throw new i.y(`${u}. See --help for the inputs.`)}const s={};for(const t of m)n[`no-${t}`]===!0?s[t]="false":n[t]!==void 0&&(s[t]=String(n[t]));const r=n.format===void 0?"text":String(n.format);if(!j.includes(r))throw new i.y(`--format: "${r.slice(0,40)}" is not one of ${j.join(", ")}.`);return{inputs:s,json:n.json===!0,help:n.help===!0,format:r}}function W(){return m.map(e=>p.has(e)?`--[no-]${e}`:`--${e}`).join(" ")}var y=a(6340),b=a(6058),I=a(2517),w=a(2794),E=a(9342),R=a(5625),c=a(1768),A=a(3024);function N(e=process.stderr){const o=e.isTTY===!0&&!process.env.NO_COLOR,n=s=>o?s.replace(/^(ERROR|WARNING) /gm,(r,t)=>`${t==="ERROR"?"\x1B[31m":"\x1B[33m"}${t}\x1B[0m `):s;return(0,R.N9)(s=>e.write(n(s)))}const L=64*1024,J=`Usage: publish-image <verify|reconcile|plan> [--<input> <value>]... [--json]

The same checks as the action, from a terminal. Flags are the action's inputs, e.g.
  publish-image verify --aws-region us-east-2 --registry-id 153263036946 \\
    --manifest manifest.json --repository-template 'molecule-ai/workspace-template-{name}' \\
    --extra-repositories molecule-ai/molecule-platform-agent \\
    --staging-role-arn arn:aws:iam::004947743811:role/MoleculeTenantEICRole-staging \\
    --staging-policy-name WorkspaceTemplatePrimaryECRPull
  publish-image verify --pullers @pullers.yml ...   several pulling roles, from a file
  publish-image plan ...        reconcile's plan only (dry run)
  publish-image plan --format terraform|json ...   the documents reconcile owns, as code to commit
  publish-image reconcile ...   apply it (--prune also removes extras)

Credentials and endpoints come from the usual AWS variables (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...).
--json prints the report as JSON on stdout (logs go to stderr).
Exit status: 0 in sync, 2 drift (or, for plan, changes to make), 1 error.

Inputs: ${W()}`;function M(e){let o;try{const n=(0,A.statSync)(e);if(!n.isFile())throw new i.y(`--pullers: ${(0,c.TL)(e)} is not a regular file. Give @<path> of a YAML list of pullers.`);o=n.size}catch(n){throw n instanceof i.y?n:new i.y(`--pullers: ${(0,c.TL)(e)} cannot be read. Give @<path> of a YAML list of pullers, or the list itself.`)}if(o>L)throw new i.y(`--pullers: ${(0,c.TL)(e)} is ${o} bytes; the limit is ${L}.`);return(0,A.readFileSync)(e,"utf8")}function P(e,o){const n=(0,w.HN)(e);n&&o(`${n.join(`
`)}

`);const s=(0,y.KV)(e),r=s.header.indexOf("digest"),t=l=>l.filter((d,$)=>$!==r);o(`${(0,y.ku)(t(s.header),s.rows.map(t))}
`);for(const l of(0,y.vO)(e))o(`
${l.severity.toUpperCase()} ${l.subject?`${l.subject}: `:""}${l.message}
`);const u=l=>l.map(d=>(0,c.tJ)(d,256)).join(", ");e.extra.length>0&&o(`
Extra (allowlisted, not expected): ${u(e.extra)}
`),o(`
${(0,S.u)(e)?`DRIFT: ${u(e.missing)||"see above"}`:"In sync."}
`)}async function U(e){const o=N(),n=t=>process.stdout.write((0,c.y1)((0,c.Hk)(o.redact(t)))),[s,...r]=e;if(!s||s==="--help"||s==="-h"||r.includes("--help")||r.includes("-h"))return n(`${J}
`),s?0:1;try{if((0,x.h)(),!["verify","reconcile","plan"].includes(s))throw new i.y(`${s}: not a command. Use verify, reconcile or plan (see --help).`);(0,R.Br)(o);const{inputs:t,json:u,format:l}=F(r);if(l!=="text"&&s!=="plan")throw new i.y(`--format ${l}: only for plan (the documents reconcile would write).`);t.pullers?.startsWith("@")&&(t.pullers=M(t.pullers.slice(1)));const d=s==="plan"?"reconcile":s;s==="plan"&&(t["dry-run"]="true");const $=(0,C.sb)(h=>h==="mode"?d:t[h]??"",(0,b.$)()),f=await(0,x.r)($,{dockerConfig:{save:()=>{},remove:()=>{}}});if(l!=="text"&&f.documents)return n(l==="json"?`${(0,E.nA)(f.documents)}
`:(0,E.Fz)(f.documents)),0;u?n(`${(0,w.l4)(f)}
`):P(f,n);const H=s==="plan"&&f.plans.some(h=>(0,I.Z)(h.plan));return(0,S.u)(f)||H?2:0}catch(t){const u=t instanceof i.y?t.message:`unexpected error (please report it): ${(0,c.tJ)((0,i.g)(t),1e3)}`;return process.stderr.write((0,c.y1)((0,c.Hk)(o.redact(`publish-image: ${u}
`)))),1}}})};export{G as id,Y as ids,D as modules};
