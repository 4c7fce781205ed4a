"""The index pages' stylesheet and the year page's script (`site.py`): rows from the page's
embedded JSON (`dashboard.year_data`), filtered by status and name, sorted by a column, drawn
`page` rows at a time (a table of thousands of rows takes the browser seconds to lay out)."""

CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei",sans-serif;margin:2em;
color:#222;line-height:1.5}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em}h3{font-size:1em}
table{border-collapse:collapse;margin:.6em 0}th,td{border:1px solid #999;padding:.35em .6em;
vertical-align:top;text-align:left}thead th{background:#eef1f5}th.agency{font-weight:normal;
white-space:nowrap}caption{text-align:left;font-weight:bold;padding:.3em 0}
td.num{text-align:right;white-space:nowrap}
.ok{color:#1b6e2e}.failed{color:#b3261e;font-weight:bold}.none,.na{color:#595959}
.err{color:#b3261e}.chg{color:#1f4e79;font-weight:bold}.warn{color:#7a4f00}.ack{color:#1f4e79}.missing{color:#8a1c7c;font-style:italic}
a{margin-right:.5em;color:#0b57a4}small{color:#595959}
.incomplete{border:2px solid #b3261e;padding:.5em .8em;color:#b3261e}
.controls{margin:1em 0}.controls input{font-size:1em;padding:.3em;width:16em}
.controls button,button.more{font-size:1em;margin:.2em .3em .2em 0;padding:.2em .6em;
background:#fff;border:1px solid #595959;border-radius:.3em;color:#222;cursor:pointer}
.controls button[aria-pressed=true]{background:#0b57a4;color:#fff;border-color:#0b57a4}
fieldset{border:none;padding:0;margin:0 0 .5em}legend{padding:0;font-weight:bold}
th button{font:inherit;font-weight:bold;background:none;border:none;padding:0;color:#222;
cursor:pointer;text-align:left}
th button:focus,.controls button:focus,button.more:focus{outline:2px solid #0b57a4}
th[aria-sort=ascending] button::after{content:" ▲"}
th[aria-sort=descending] button::after{content:" ▼"}
nav a[aria-current]{font-weight:bold;color:#222;text-decoration:none}
ul.fail li,ul.findings li{margin:.2em 0}
"""

# The year page: rows from the embedded JSON; filter by status and name, sort by a column.
SCRIPT = """
(function(){"use strict";
var D=JSON.parse(document.getElementById("data").textContent),C={};
D.columns.forEach(function(c,i){C[c]=i;});
var rows=D.rows,body=document.querySelector("#reports tbody"),box=document.getElementById("filter"),
note=document.getElementById("shown"),more_=document.getElementById("more"),DAY=864e5,today=Date.parse(D.today),ORDER=Object.keys(D.statuses),
st={status:"",q:"",col:"agency",dir:1,limit:0};
var prev=["",""];rows.forEach(function(r,i){r.i=i;[["agency","agency_shared"],
["pinyin","pinyin_shared"]].forEach(function(f,k){var a=C[f[0]];
r[a]=prev[k]=prev[k].slice(0,r[C[f[1]]])+r[a];});});
function esc(s){return String(s).replace(/[&<>"']/g,function(c){return "&#"+c.charCodeAt(0)+";";});}
function has(r,c){return r[C.statuses].indexOf(c)>=0;}
function due(r){return r[C.due]||D.due;}
function day(iso,n){return new Date(Date.parse(iso)+n*DAY).toISOString().slice(0,10);}
function find(r){if(r.s===undefined){var p=r[C.pinyin]?r[C.pinyin].split(" "):[];
r.s=r[C.agency].toLowerCase().replace(/\\s+/g,"")+" "+p.join("")+" "+p.map(function(x){
return x.charAt(0);}).join("");}return r.s;}
function late(r){var o=r[C.issued_days_after_due];if(o!==null)return o;
if(has(r,"f"))return null;return Math.round((today-Date.parse(due(r)))/DAY);}
function rank(r){var s=r[C.statuses].replace(/[lc]/g,""),k=ORDER.indexOf(s.charAt(0));
return k*2+(has(r,"l")?1:0);}
function fig(k){return function(r){var f=r[C.figures];return f&&f[k]!==null?f[k]:null;};}
var KEY={agency:function(r){return r.i;},status:rank,deadline:late,
errors:function(r){return r[C.errors];},warnings:function(r){return r[C.warnings];},
acknowledged:function(r){return r[C.acknowledged];},
profile:function(r){return r[C.profile]||null;}};
D.figures.forEach(function(_,k){KEY["f"+k]=fig(k);});
function cmp(a,b){var f=KEY[st.col],x=f(a),y=f(b);if(x===y)return a.i-b.i;
if(x===null)return 1;if(y===null)return -1;return (x<y?-1:1)*st.dir;}
function deadline(r){var o=r[C.issued_days_after_due],d=due(r);
if(o!==null)return day(d,o)+(o>0?' <span class="err">逾期 '+o+" 天</span>":"");
if(has(r,"f"))return '<span class="na">—</span>';var left=Math.round((Date.parse(d)-today)/DAY);
if(left>=0)return '<span class="warn">截止 '+d+"，剩 "+left+" 天</span>";
return '<span class="err">'+(has(r,"m")?"未提交":"未落款")+"，已逾期 "+(-left)+" 天</span>";}
function status(r){var out=[],own=ORDER.filter(function(c){return c!=="l"&&c!=="c";})
.concat(["l","c"]);for(var i=0;i<own.length;i++){var c=own[i];if(!has(r,c))continue;
var cls=c==="g"?"ok":c==="c"?"chg":"err";
out.push('<span class="'+cls+'">'+esc(D.statuses[c])+"</span>");}
var e=r[C.first_error];return out.join("、")+(e?"<br><small>"+esc(e)+"</small>":"");}
function figure(r,k){var f=r[C.figures];if(!f)return '<td class="num na">—</td>';var v=f[k];
if(v===null)return '<td class="num missing">未填</td>';var p=r[C.previous_figures],ch="";
if(p&&p[k]!==null){var d=v-p[k];ch=" <small>("+(d>0?"+":d<0?"−":"±")+Math.abs(d)+")</small>";}
return '<td class="num">'+v+ch+"</td>";}
function files(r){var b=r[C.base]||(D.year+"/"+r[C.agency]+"/"+D.title.replace("{agency}",
r[C.agency]).replace("{year}",D.year)),who=r[C.agency]+" "+D.year+"年 ",out=[];
r[C.files].split("").forEach(function(c){var f=D.files[c];out.push('<a href="'+
esc((b+f[0]).split("/").map(encodeURIComponent).join("/"))+'" aria-label="'+esc(who+f[1])+
'">'+esc(f[1])+"</a>");});
if(r[C.findings_anchor]>=0)out.push('<a href="'+esc(D.findings)+"#r"+r[C.findings_anchor]+
'" aria-label="'+esc(who+"校验问题")+'">校验问题</a>');return out.join(" ");}
function num(n,cls){return '<td class="num'+(n?" "+cls:"")+'">'+n+"</td>";}
function html(r){var p=r[C.profile],s=[];
s.push('<tr><th scope="row" class="agency">'+esc(r[C.agency])+"</th><td>"+status(r)+"</td><td>"+
deadline(r)+"</td>");if(has(r,"m")){s.push('<td class="num na">—</td><td class="num na">—</td>'+
'<td class="num na">—</td>');}else{s.push(num(r[C.errors],"err")+num(r[C.warnings],"warn")+
num(r[C.acknowledged],"ack"));}D.figures.forEach(function(_,k){s.push(figure(r,k));});
s.push("<td>"+(p?esc(D.profiles[p]||p):'<span class="na">—</span>')+"</td><td>"+files(r)+
"</td></tr>");return s.join("");}
function show(more){var q=st.q,list=rows.filter(function(r){return (!st.status||
has(r,st.status))&&(!q||find(r).indexOf(q)>=0);});list.sort(cmp);st.limit=more?st.limit+D.page:
D.page;body.innerHTML=list.slice(0,st.limit).map(html).join("");var all=list.length<=st.limit;
note.textContent=all?"显示 "+list.length+" / "+rows.length+" 份":"筛选出 "+list.length+" / "+
rows.length+" 份，显示前 "+st.limit+" 份";more_.hidden=all;
more_.textContent="再显示 "+Math.min(D.page,list.length-st.limit)+" 份";}
more_.addEventListener("click",function(){show(true);});
document.querySelectorAll("button[data-status]").forEach(function(b,_,all){
b.addEventListener("click",function(){st.status=b.dataset.status;all.forEach(function(o){
o.setAttribute("aria-pressed",o===b?"true":"false");});show();});});
document.querySelectorAll("th[data-sort] button").forEach(function(b){
b.addEventListener("click",function(){var th=b.parentNode,col=th.dataset.sort;
st.dir=st.col===col?-st.dir:1;st.col=col;document.querySelectorAll("th[data-sort]").forEach(
function(h){if(h===th)h.setAttribute("aria-sort",st.dir>0?"ascending":"descending");
else h.removeAttribute("aria-sort");});show();});});
box.addEventListener("input",function(){st.q=box.value.trim().toLowerCase().replace(/\\s+/g,"");
show();});
document.getElementById("controls").hidden=false;show();})();
"""
