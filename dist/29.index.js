const K=29,B=[29],V={2029:((D,v,i)=>{i.r(v),i.d(v,{runCli:()=>z});var l=i(3916),R=i(7100),x=i(4021),w=i(6867),I=i(7975),g=i(7428);const S=new Set(["context","file","build-args","labels","tags","target","platforms","cache-from","cache-to","no-cache","push","provenance","secrets","secret-files","secret-envs","ssh","build-contexts","create-repository","image-tag-mutability","image-tag-mutability-exclusion-filters","scan-on-push","wait-for-replication"]),m=Object.keys(g.WJ).filter(e=>e!=="mode"&&!S.has(e)),p=new Set(m.filter(e=>g.WJ[e]==="true"||g.WJ[e]==="false")),b=["text","json","terraform"],j=new Set([...m.filter(e=>!p.has(e)),"format"]),T=new Set(["--json","--help","-h",...[...j].map(e=>`--${e}`),...[...p].flatMap(e=>[`--${e}`,`--no-${e}`])]);function W(e){const r=[];for(let t=0;t<e.length;t++){const s=/^--([a-z-]+)(?:=(.*))?$/s.exec(e[t]),o=s?.[1],n=[s?.[1],s?.[1].replace(/^no-/,"")].find(a=>S.has(a));if(n)throw new l.y(`--${n}: only the action's publish mode reads it; the CLI verifies, plans and reconciles, and builds nothing. Leave it out.`);if(s&&o&&s[2]===void 0&&j.has(o)){const a=e[t+1];if(a===void 0||T.has(a.split("=")[0]))throw new l.y(`--${o}: needs a value, e.g. --${o} <value> or --${o}=<value>.`);r.push(`--${o}=${a}`),t++;continue}if(!s||!o||!p.has(o)){r.push(e[t]);continue}const c=s[2]??(/^(true|false)$/i.test(e[t+1]??"")?e[++t]:"true");if(!/^(true|false)$/i.test(c))throw new l.y(`--${o}: "${c}" is not a boolean. Use --${o}, --no-${o} or --${o}=false.`);r.push(c.toLowerCase()==="true"?`--${o}`:`--no-${o}`)}return r}function F(e){const r={json:{type:"boolean"},help:{type:"boolean"},format:{type:"string"}};for(const n of m)r[n]={type:p.has(n)?"boolean":"string"},p.has(n)&&(r[`no-${n}`]={type:"boolean"});let t;try{({values:t}=(0,I.parseArgs)({args:W(e),options:r,strict:!0,allowPositionals:!1}))}catch(n){const c=n.message.replace(/\. To specify an option argument starting with a dash.*$/,"");throw new l.y(`${c}. See --help for the inputs.`)}const s={};for(const n of m)t[`no-${n}`]===!0?s[n]="false":t[n]!==void 0&&(s[n]=String(t[n]));const o=t.format===void 0?"text":String(t.format);if(!b.includes(o))throw new l.y(`--format: "${o.slice(0,40)}" is not one of ${b.join(", ")}.`);return{inputs:s,json:t.json===!0,help:t.help===!0,format:o}}function N(){return m.map(e=>p.has(e)?`--[no-]${e}`:`--${e}`).join(" ")}var y=i(6340),U=i(6058),M=i(2517),L=i(2794),A=i(9342),E=i(5625),u=i(1768),C=i(3024);function P(e=process.stderr){const r=e.isTTY===!0&&!process.env.NO_COLOR,t=s=>r?s.replace(/^(ERROR|WARNING) /gm,(o,n)=>`${n==="ERROR"?"\x1B[31m":"\x1B[33m"}${n}\x1B[0m `):s;return(0,E.N9)(s=>e.write(t(s)))}const O=64*1024,H=`Usage: publish-image <verify|reconcile|plan> [--<input> <value>]... [--json]

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

Inputs: ${N()}`;function J(e){let r;try{const t=(0,C.statSync)(e);if(!t.isFile())throw new l.y(`--pullers: ${(0,u.TL)(e)} is not a regular file. Give @<path> of a YAML list of pullers.`);r=t.size}catch(t){throw t instanceof l.y?t:new l.y(`--pullers: ${(0,u.TL)(e)} cannot be read. Give @<path> of a YAML list of pullers, or the list itself.`)}if(r>O)throw new l.y(`--pullers: ${(0,u.TL)(e)} is ${r} bytes; the limit is ${O}.`);return(0,C.readFileSync)(e,"utf8")}function Y(e,r){const t=(0,L.HN)(e);t&&r(`${t.join(`
`)}

`);const s=(0,y.KV)(e),o=s.header.indexOf("digest"),n=a=>a.filter((d,$)=>$!==o);r(`${(0,y.ku)(n(s.header),s.rows.map(n))}
`);for(const a of(0,y.vO)(e))r(`
${a.severity.toUpperCase()} ${a.subject?`${a.subject}: `:""}${a.message}
`);const c=a=>a.map(d=>(0,u.tJ)(d,256)).join(", ");e.extra.length>0&&r(`
Extra (allowlisted, not expected): ${c(e.extra)}
`),r(`
${(0,w.u)(e)?`DRIFT: ${c(e.missing)||"see above"}`:"In sync."}
`)}async function z(e){const r=P(),t=n=>process.stdout.write((0,u.y1)((0,u.Hk)(r.redact(n)))),[s,...o]=e;if(!s||s==="--help"||s==="-h"||o.includes("--help")||o.includes("-h"))return t(`${H}
`),s?0:1;try{if((0,x.h)(),!["verify","reconcile","plan"].includes(s))throw new l.y(`${s}: not a command. Use verify, reconcile or plan (see --help).`);(0,E.Br)(r);const{inputs:n,json:c,format:a}=F(o);if(a!=="text"&&s!=="plan")throw new l.y(`--format ${a}: only for plan (the documents reconcile would write).`);n.pullers?.startsWith("@")&&(n.pullers=J(n.pullers.slice(1)));const d=s==="plan"?"reconcile":s;s==="plan"&&(n["dry-run"]="true");const $=(0,R.sb)(h=>h==="mode"?d:n[h]??"",(0,U.$)()),f=await(0,x.r)($,{dockerConfig:{save:()=>{},remove:()=>{}}});if(a!=="text"&&f.documents)return t(a==="json"?`${(0,A.nA)(f.documents)}
`:(0,A.Fz)(f.documents)),0;c?t(`${(0,L.l4)(f)}
`):Y(f,t);const G=s==="plan"&&f.plans.some(h=>(0,M.Z)(h.plan));return(0,w.u)(f)||G?2:0}catch(n){const c=n instanceof l.y?n.message:`unexpected error (please report it): ${(0,u.tJ)((0,l.g)(n),1e3)}`;return process.stderr.write((0,u.y1)((0,u.Hk)(r.redact(`publish-image: ${c}
`)))),1}}})};export{K as id,B as ids,V as modules};
