const H=29,M=[29],z={2029:((U,$,l)=>{l.r($),l.d($,{runCli:()=>J});var c=l(3916),C=l(7100),v=l(4021),S=l(6867),L=l(7975),h=l(7428);const f=Object.keys(h.WJ).filter(e=>e!=="mode"),m=new Set(f.filter(e=>h.WJ[e]==="true"||h.WJ[e]==="false"));function A(e){const s=[];for(let r=0;r<e.length;r++){const t=/^--([a-z-]+)(?:=(.*))?$/.exec(e[r]),n=t?.[1];if(!t||!n||!m.has(n)){s.push(e[r]);continue}const o=t[2]??(/^(true|false)$/i.test(e[r+1]??"")?e[++r]:"true");if(!/^(true|false)$/i.test(o))throw new c.y(`--${n}: "${o}" is not a boolean. Use --${n}, --no-${n} or --${n}=false.`);s.push(o.toLowerCase()==="true"?`--${n}`:`--no-${n}`)}return s}function O(e){const s={json:{type:"boolean"},help:{type:"boolean"}};for(const n of f)s[n]={type:m.has(n)?"boolean":"string"},m.has(n)&&(s[`no-${n}`]={type:"boolean"});let r;try{({values:r}=(0,L.parseArgs)({args:A(e),options:s,strict:!0,allowPositionals:!1}))}catch(n){const o=n.message.replace(/\. To specify an option argument starting with a dash.*$/,"");throw new c.y(`${o}. See --help for the inputs.`)}const t={};for(const n of f)r[`no-${n}`]===!0?t[n]="false":r[n]!==void 0&&(t[n]=String(r[n]));return{inputs:t,json:r.json===!0,help:r.help===!0}}function T(){return f.map(e=>m.has(e)?`--[no-]${e}`:`--${e}`).join(" ")}var y=l(6340),W=l(6058),I=l(2517),x=l(2794),j=l(5625),i=l(1768),E=l(3024);function b(e=process.stderr){const s=e.isTTY===!0&&!process.env.NO_COLOR,r=t=>s?t.replace(/^(ERROR|WARNING) /gm,(n,o)=>`${o==="ERROR"?"\x1B[31m":"\x1B[33m"}${o}\x1B[0m `):t;return(0,j.N9)(t=>e.write(r(t)))}const R=64*1024,F=`Usage: publish-image <verify|reconcile|plan> [--<input> <value>]... [--json]

The same checks as the action, from a terminal. Flags are the action's inputs, e.g.
  publish-image verify --aws-region us-east-2 --registry-id 153263036946 \\
    --manifest manifest.json --repository-template 'molecule-ai/workspace-template-{name}' \\
    --extra-repositories molecule-ai/molecule-platform-agent \\
    --staging-role-arn arn:aws:iam::004947743811:role/MoleculeTenantEICRole-staging \\
    --staging-policy-name WorkspaceTemplatePrimaryECRPull
  publish-image verify --pullers @pullers.yml ...   several pulling roles, from a file
  publish-image plan ...        reconcile's plan only (dry run)
  publish-image reconcile ...   apply it (--prune also removes extras)

Credentials and endpoints come from the usual AWS variables (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...).
--json prints the report as JSON on stdout (logs go to stderr).
Exit status: 0 in sync, 2 drift (or, for plan, changes to make), 1 error.

Inputs: ${T()}`;function N(e){let s;try{s=(0,E.statSync)(e).size}catch{throw new c.y(`--pullers: ${(0,i.TL)(e)} cannot be read. Give @<path> of a YAML list of pullers, or the list itself.`)}if(s>R)throw new c.y(`--pullers: ${(0,i.TL)(e)} is ${s} bytes; the limit is ${R}.`);return(0,E.readFileSync)(e,"utf8")}function w(e,s){const r=(0,x.HN)(e);r&&s(`${r.join(`
`)}

`);const t=(0,y.KV)(e),n=t.header.indexOf("digest"),o=a=>a.filter((d,p)=>p!==n);s(`${(0,y.ku)(o(t.header),t.rows.map(o))}
`);for(const a of(0,y.vO)(e))s(`
${a.severity.toUpperCase()} ${a.subject?`${a.subject}: `:""}${a.message}
`);const u=a=>a.map(d=>(0,i.tJ)(d,256)).join(", ");e.extra.length>0&&s(`
Extra (allowlisted, not expected): ${u(e.extra)}
`),s(`
${(0,S.u)(e)?`DRIFT: ${u(e.missing)||"see above"}`:"In sync."}
`)}async function J(e){const s=b(),r=o=>process.stdout.write((0,i.y1)((0,i.Hk)(s.redact(o)))),[t,...n]=e;if(!t||t==="--help"||t==="-h"||n.includes("--help")||n.includes("-h"))return r(`${F}
`),t?0:1;try{if((0,v.h)(),!["verify","reconcile","plan"].includes(t))throw new c.y(`${t}: not a command. Use verify, reconcile or plan (see --help).`);(0,j.Br)(s);const{inputs:o,json:u}=O(n);o.pullers?.startsWith("@")&&(o.pullers=N(o.pullers.slice(1)));const a=t==="plan"?"reconcile":t;t==="plan"&&(o["dry-run"]="true");const d=(0,C.s)(g=>g==="mode"?a:o[g]??"",(0,W.$)()),p=await(0,v.r)(d,{dockerConfig:{save:()=>{},remove:()=>{}}});u?r(`${(0,x.l4)(p)}
`):w(p,r);const P=t==="plan"&&p.plans.some(g=>(0,I.Z)(g.plan));return(0,S.u)(p)||P?2:0}catch(o){const u=o instanceof c.y?o.message:`unexpected error (please report it): ${(0,i.tJ)((0,c.g)(o),1e3)}`;return process.stderr.write((0,i.y1)((0,i.Hk)(s.redact(`publish-image: ${u}
`)))),1}}})};export{H as id,M as ids,z as modules};
