const G=29,B=[29],D={2029:((z,v,a)=>{a.r(v),a.d(v,{runCli:()=>M});var l=a(3916),A=a(7100),x=a(4021),S=a(6867),O=a(7975),g=a(7428);const b=new Set(["context","file","build-args","labels","tags","target","platforms","cache-from","cache-to","no-cache","push","provenance","secrets","secret-files","secret-envs","ssh","build-contexts","create-repository","image-tag-mutability","image-tag-mutability-exclusion-filters","scan-on-push"]),p=Object.keys(g.WJ).filter(e=>e!=="mode"&&!b.has(e)),m=new Set(p.filter(e=>g.WJ[e]==="true"||g.WJ[e]==="false")),j=["text","json","terraform"];function I(e){const o=[];for(let n=0;n<e.length;n++){const s=/^--([a-z-]+)(?:=(.*))?$/.exec(e[n]),r=s?.[1],t=[s?.[1],s?.[1].replace(/^no-/,"")].find(i=>b.has(i));if(t)throw new l.y(`--${t}: only the action's publish mode reads it; the CLI verifies, plans and reconciles, and builds nothing. Leave it out.`);if(!s||!r||!m.has(r)){o.push(e[n]);continue}const c=s[2]??(/^(true|false)$/i.test(e[n+1]??"")?e[++n]:"true");if(!/^(true|false)$/i.test(c))throw new l.y(`--${r}: "${c}" is not a boolean. Use --${r}, --no-${r} or --${r}=false.`);o.push(c.toLowerCase()==="true"?`--${r}`:`--no-${r}`)}return o}function T(e){const o={json:{type:"boolean"},help:{type:"boolean"},format:{type:"string"}};for(const t of p)o[t]={type:m.has(t)?"boolean":"string"},m.has(t)&&(o[`no-${t}`]={type:"boolean"});let n;try{({values:n}=(0,O.parseArgs)({args:I(e),options:o,strict:!0,allowPositionals:!1}))}catch(t){const c=t.message.replace(/\. To specify an option argument starting with a dash.*$/,"");throw new l.y(`${c}. See --help for the inputs.`)}const s={};for(const t of p)n[`no-${t}`]===!0?s[t]="false":n[t]!==void 0&&(s[t]=String(n[t]));const r=n.format===void 0?"text":String(n.format);if(!j.includes(r))throw new l.y(`--format: "${r.slice(0,40)}" is not one of ${j.join(", ")}.`);return{inputs:s,json:n.json===!0,help:n.help===!0,format:r}}function F(){return p.map(e=>m.has(e)?`--[no-]${e}`:`--${e}`).join(" ")}var y=a(6340),W=a(6058),N=a(2517),w=a(2794),L=a(9342),C=a(5625),u=a(1768),E=a(3024);function P(e=process.stderr){const o=e.isTTY===!0&&!process.env.NO_COLOR,n=s=>o?s.replace(/^(ERROR|WARNING) /gm,(r,t)=>`${t==="ERROR"?"\x1B[31m":"\x1B[33m"}${t}\x1B[0m `):s;return(0,C.N9)(s=>e.write(n(s)))}const R=64*1024,U=`Usage: publish-image <verify|reconcile|plan> [--<input> <value>]... [--json]

The same checks as the action, from a terminal. Flags are the action's inputs that verify,
plan and reconcile read (the CLI builds and pushes nothing, so it takes no build input), e.g.
  publish-image verify --aws-region us-east-2 --registry-id 153263036946 \\
    --manifest manifest.json --repository-template 'molecule-ai/workspace-template-{name}' \\
    --extra-repositories molecule-ai/molecule-platform-agent \\
    --staging-role-arn arn:aws:iam::004947743811:role/MoleculeTenantEICRole-staging \\
    --staging-policy-name WorkspaceTemplatePrimaryECRPull
  publish-image verify --pullers @pullers.yml ...   several pulling roles, from a file
  publish-image verify --pullers="$(cat pullers.yml)" ...   or the list itself
  publish-image plan ...        reconcile's plan only (dry run)
  publish-image plan --format terraform|json ...   the documents reconcile owns, as code to commit
  publish-image reconcile ...   apply it (--prune also removes extras)

Credentials and endpoints come from the usual AWS variables (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...).
--json prints the report as JSON on stdout (logs go to stderr).
Exit status: 0 in sync, 2 drift (or, for plan as text, changes to make), 1 error;
plan --format terraform|json prints the documents and exits 0 unless it fails.

Inputs: ${F()}`;function H(e){let o;try{const n=(0,E.statSync)(e);if(!n.isFile())throw new l.y(`--pullers: ${(0,u.TL)(e)} is not a regular file. Give @<path> of a YAML list of pullers.`);o=n.size}catch(n){throw n instanceof l.y?n:new l.y(`--pullers: ${(0,u.TL)(e)} cannot be read. Give @<path> of a YAML list of pullers, or the list itself.`)}if(o>R)throw new l.y(`--pullers: ${(0,u.TL)(e)} is ${o} bytes; the limit is ${R}.`);return(0,E.readFileSync)(e,"utf8")}function J(e,o){const n=(0,w.HN)(e);n&&o(`${n.join(`
`)}

`);const s=(0,y.KV)(e),r=s.header.indexOf("digest"),t=i=>i.filter((d,$)=>$!==r);o(`${(0,y.ku)(t(s.header),s.rows.map(t))}
`);for(const i of(0,y.vO)(e))o(`
${i.severity.toUpperCase()} ${i.subject?`${i.subject}: `:""}${i.message}
`);const c=i=>i.map(d=>(0,u.tJ)(d,256)).join(", ");e.extra.length>0&&o(`
Extra (allowlisted, not expected): ${c(e.extra)}
`),o(`
${(0,S.u)(e)?`DRIFT: ${c(e.missing)||"see above"}`:"In sync."}
`)}async function M(e){const o=P(),n=t=>process.stdout.write((0,u.y1)((0,u.Hk)(o.redact(t)))),[s,...r]=e;if(!s||s==="--help"||s==="-h"||r.includes("--help")||r.includes("-h"))return n(`${U}
`),s?0:1;try{if((0,x.h)(),!["verify","reconcile","plan"].includes(s))throw new l.y(`${s}: not a command. Use verify, reconcile or plan (see --help).`);(0,C.Br)(o);const{inputs:t,json:c,format:i}=T(r);if(i!=="text"&&s!=="plan")throw new l.y(`--format ${i}: only for plan (the documents reconcile would write).`);t.pullers?.startsWith("@")&&(t.pullers=H(t.pullers.slice(1)));const d=s==="plan"?"reconcile":s;s==="plan"&&(t["dry-run"]="true");const $=(0,A.sb)(h=>h==="mode"?d:t[h]??"",(0,W.$)()),f=await(0,x.r)($,{dockerConfig:{save:()=>{},remove:()=>{}}});if(i!=="text"&&f.documents)return n(i==="json"?`${(0,L.nA)(f.documents)}
`:(0,L.Fz)(f.documents)),0;c?n(`${(0,w.l4)(f)}
`):J(f,n);const Y=s==="plan"&&f.plans.some(h=>(0,N.Z)(h.plan));return(0,S.u)(f)||Y?2:0}catch(t){const c=t instanceof l.y?t.message:`unexpected error (please report it): ${(0,u.tJ)((0,l.g)(t),1e3)}`;return process.stderr.write((0,u.y1)((0,u.Hk)(o.redact(`publish-image: ${c}
`)))),1}}})};export{G as id,B as ids,D as modules};
