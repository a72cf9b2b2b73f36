/*
 * The console's only static files, compiled in: no file system path is
 * ever served, nothing is fetched from elsewhere (no CDN, no fonts).
 */
#include <string.h>

#include "station/web/web_int.h"

static const char app_css[] =
    "*{box-sizing:border-box}body{margin:0;font:15px/1.4 system-ui,sans-serif;background:#f4f5f7;"
    "color:#1d2330}header{display:flex;gap:1.5em;align-items:center;background:#1d2330;color:#fff;"
    "padding:.5em 1em}header a{color:#cfd6e4;text-decoration:none;margin-right:1em}"
    "header a.active{color:#fff;border-bottom:2px solid #5fb3ff}.brand{font-weight:700}"
    ".who{margin-left:auto;display:flex;gap:.5em;align-items:center}main{padding:1em}"
    "table{border-collapse:collapse;background:#fff;width:100%}th,td{padding:.3em .6em;"
    "border-bottom:1px solid #e2e5ea;text-align:left;vertical-align:top}th{background:#eef0f4}"
    "td.num{text-align:right}.tiles{display:grid;grid-template-columns:repeat(auto-fill,"
    "minmax(280px,1fr));gap:1em}.tile{background:#fff;border-radius:8px;padding:1em;"
    "border-left:8px solid #9aa3b2;box-shadow:0 1px 2px rgba(0,0,0,.08)}.tile h2{margin:0 0 .4em}"
    ".tile .verdict{font-weight:700;font-size:1.2em}.v-good{color:#137333}.v-bad{color:#b3261e}"
    ".v-none{color:#6b7280}.tile.good{border-left-color:#34a853}.tile.bad{border-left-color:#d93025}"
    ".alert{color:#b3261e;font-weight:600}.muted{color:#6b7280}.error{color:#b3261e}"
    ".counts{display:flex;gap:1em;flex-wrap:wrap;margin-bottom:1em}.count{background:#fff;"
    "padding:.5em 1em;border-radius:6px}.count b{display:block;font-size:1.4em}"
    "form.inline{display:inline}fieldset{border:1px solid #d0d5dd;margin:.5em 0}"
    ".charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(740px,1fr));gap:1em}"
    ".chart{background:#fff;margin:0;padding:.5em;border-radius:6px}"
    "body.tv header nav,body.tv .who{display:none}body.tv{font-size:22px;background:#111;color:#eee}"
    "body.tv .tile{background:#222;color:#eee}body.tv a{color:#8ab4f8}body.tv .verdict{font-size:2em}"
    "body.tv .v-good{color:#81c995}body.tv .v-bad,body.tv .alert{color:#f28b82}body.tv .tiles{grid-template-columns:repeat(auto-fill,"
    "minmax(420px,1fr))}.login{max-width:22em;margin:4em auto;background:#fff;padding:1.5em;"
    "border-radius:8px}.login label{display:block;margin:.5em 0}.login input{width:100%}"
    "button{cursor:pointer}#log td,#order-log td{white-space:pre-wrap}\n";

static const char app_js[] =
    "'use strict';\n"
    "(function(){\n"
    "function tileOf(name){var t=document.querySelectorAll('.tile');"
    "for(var i=0;i<t.length;i++)if(t[i].dataset.station===name)return t[i];return null;}\n"
    "function set(tile,cls,text){var e=tile.querySelector('.'+cls);if(e)e.textContent=text;}\n"
    "function onScan(ev){var s=JSON.parse(ev.data),t=tileOf(s.station);if(!t)return;\n"
    " set(t,'order',s.open||'—');set(t,'packer',s.packer||'—');set(t,'box',s.open?String(s.box):'—');\n"
    " var a=t.querySelector('a.order');if(a){if(s.open)a.href='/orders/'+encodeURIComponent(s.open);"
    "else a.removeAttribute('href');}\n"
    " set(t,'progress',s.open?(s.packed+' of '+s.units+' units'):'—');\n"
    " var v=t.querySelector('.verdict');v.textContent=s.verdict;"
    "v.className='verdict '+(s.refused?'v-bad':'v-good');\n"
    " t.classList.remove('good','bad');t.classList.add(s.refused?'bad':'good');\n"
    " set(t,'message',s.message||'');t.dataset.seq=String(s.seq);}\n"
    "function onScanner(ev){var s=JSON.parse(ev.data),t=tileOf(s.station);if(!t)return;\n"
    " var e=t.querySelector('.scanner');e.textContent=s.message;"
    "e.className='scanner '+(s.connected>0?'muted':'alert');}\n"
    "function onAlerts(ev){var a=JSON.parse(ev.data).alerts||[];\n"
    " document.querySelectorAll('.tile').forEach(function(t){\n"
    "  t.querySelectorAll('.alert.printer').forEach(function(e){e.remove();});\n"
    "  a.forEach(function(x){if(x.station!==t.dataset.station)return;"
    "var d=document.createElement('div');d.className='alert printer';d.textContent=x.alert;"
    "t.appendChild(d);});});}\n"
    "function floor(){var es=new EventSource('/events');es.addEventListener('scan',onScan);\n"
    " es.addEventListener('alerts',onAlerts);\n"
    " es.addEventListener('scanner',onScanner);"
    "es.addEventListener('open',function(){document.body.dataset.live='1';});}\n"
    "function follow(){var box=document.getElementById('follow'),tb=document.querySelector('#log tbody');\n"
    " if(!box||!tb)return;var timer=null;\n"
    " function tick(){var q=new URLSearchParams(location.search);q.set('after',tb.dataset.last||'0');\n"
    "  fetch('/api/log?'+q.toString(),{credentials:'same-origin'}).then(function(r){return r.json();})"
    ".then(function(j){(j.events||[]).forEach(function(e){var tr=document.createElement('tr');\n"
    "   ['time','station','order','packer','kind','verdict','message'].forEach(function(k){"
    "var td=document.createElement('td');td.textContent=e[k]==null?'':e[k];tr.appendChild(td);});\n"
    "   tb.appendChild(tr);});if(j.last_id)tb.dataset.last=String(j.last_id);}).catch(function(){});}\n"
    " box.addEventListener('change',function(){if(box.checked){tick();timer=setInterval(tick,1000);}"
    "else{clearInterval(timer);}});}\n"
    "document.addEventListener('DOMContentLoaded',function(){if(document.getElementById('floor'))floor();"
    "follow();});\n"
    "})();\n";

int
web_asset(const char *name, const char **type, const char **data, size_t *len)
{
	if (strcmp(name, "app.css") == 0) {
		*type = "text/css; charset=utf-8";
		*data = app_css;
		*len = sizeof(app_css) - 1;
		return 1;
	}
	if (strcmp(name, "app.js") == 0) {
		*type = "text/javascript; charset=utf-8";
		*data = app_js;
		*len = sizeof(app_js) - 1;
		return 1;
	}
	return 0;
}
