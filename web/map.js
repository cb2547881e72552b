// map.js - the HTML map's page script (svcov map --html), inlined by cmake/embed_web.cmake after Leaflet
// and the page's data (the JSON of <script id="svcov-data">). Everything drawn comes from that JSON; the
// DOM is built with textContent, never innerHTML. Lines starting with // are left out of the page.
(function(){
'use strict';
var D=JSON.parse(document.getElementById('svcov-data').textContent);
var CAT=['#1f78b4','#ff7f00','#6a3d9a','#8c510a','#c51b7d','#00665e','#404040','#bf9000'];
function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;if(text!==undefined&&text!==null)e.textContent=String(text);return e;}
// the catalogue's words (D.t, absent in English): T(text), F(text with {} per value, values...)
function T(s){return (D.t&&D.t[s])||s;}
function F(s){var a=arguments,i=1;return T(s).replace(/\{\}/g,function(){return String(a[i++]);});}
function fmt(v,d){return (v===null||v===undefined||isNaN(v))?'\u2013':Number(v).toFixed(d);}
function brk(b){return (b.minutes!==null&&b.minutes!==undefined)?F('{} min',b.minutes):F('{} m',b.radius_m);}
function row(t,cells,th){var tr=el('tr');cells.forEach(function(c){tr.appendChild(el(th?'th':'td',null,c));});t.appendChild(tr);}
var map=L.map('map',{zoomSnap:0.25});
var breaks=D.breaks||[];
function green(i,n){var t=n<=1?1:i/(n-1);return 'rgb('+Math.round(35+t*81)+','+Math.round(139+t*57)+','+Math.round(69+t*49)+')';}
function districtPopup(p){var box=el('div','sv-popup');box.appendChild(el('h3',null,p.district_name===p.district_id?p.district_name:(p.district_name+' \u00b7 '+p.district_id)));box.appendChild(el('div',null,F('Area {} km\u00b2',fmt(p.area_m2/1e6,2))));var t=el('table');row(t,['break','covered %','gap km\u00b2','gap parts','stations inside','reaching'].concat(D.has_pop?['people covered %']:[]).map(function(h){return T(h);}),true);(p.breaks||[]).forEach(function(b){row(t,[brk(b),fmt(b.covered_pct,1),fmt(b.gap_m2/1e6,3),b.n_gap_parts,b.n_stations_inside,b.n_stations_reaching].concat(D.has_pop?[fmt(b.pop_covered_pct,1)]:[]));});box.appendChild(t);return box;}
function stationPopup(p){var box=el('div','sv-popup');box.appendChild(el('h3',null,p.name));box.appendChild(el('div',null,F('Station {}',p.station_id)+' \u00b7 '+p.category));if(p.areas&&p.areas.length){var t=el('table');row(t,[T('break'),T('service area km\u00b2')],true);p.areas.forEach(function(a){row(t,[brk(a),fmt(a.area_m2/1e6,3)]);});box.appendChild(t);}return box;}
var overlays={},all=[],sites=null;
var districts=L.geoJSON(D.districts,{style:{color:'#333',weight:1.5,fillColor:'#fff',fillOpacity:1},onEachFeature:function(f,l){l.bindPopup(function(){return districtPopup(f.properties);},{maxWidth:460});l.bindTooltip(function(){return el('span',null,f.properties.district_name);},{sticky:true});}}).addTo(map);
overlays[T('Districts')]=districts;all.push(districts);
for(var i=breaks.length-1;i>=0;i--){(function(i){var b=breaks[i];var cov=L.geoJSON(D.coverage,{filter:function(f){return Math.abs(f.properties.radius_m-b.radius_m)<1e-6;},interactive:false,style:{stroke:false,fillColor:green(i,breaks.length),fillOpacity:.5}}).addTo(map);overlays[F('Within {}',brk(b))]=cov;})(i);}
for(var j=0;j<breaks.length;j++){(function(j){var b=breaks[j];var gap=L.geoJSON(D.gaps,{filter:function(f){return Math.abs(f.properties.radius_m-b.radius_m)<1e-6;},interactive:false,style:{color:'#99000d',weight:1,fillColor:'#e34a33',fillOpacity:.75}});if(j===breaks.length-1)gap.addTo(map);overlays[F('Gaps beyond {}',brk(b))]=gap;})(j);}
if(D.roads&&D.roads.features&&D.roads.features.length){var r=L.geoJSON(D.roads,{interactive:false,style:{color:'#6e6e78',weight:1,opacity:.85}}).addTo(map);overlays[D.roads_label]=r;}
var outline=L.geoJSON(D.districts,{interactive:false,style:{color:'#333',weight:1.5,fill:false}}).addTo(map);
var cats=D.categories||[];var byCat={};cats.forEach(function(c,k){byCat[c]=k;});
var stations=L.geoJSON(D.stations,{pointToLayer:function(f,ll){var k=byCat[f.properties.category]||0;return L.circleMarker(ll,{radius:5,color:'#fff',weight:1,fillColor:CAT[k%CAT.length],fillOpacity:1});},onEachFeature:function(f,l){l.bindPopup(function(){return stationPopup(f.properties);},{maxWidth:360});l.bindTooltip(function(){return el('span',null,f.properties.name);});}}).addTo(map);
overlays[T('Stations')]=stations;
function sitePopup(p){var box=el('div','sv-popup');box.appendChild(el('h3',null,F('Proposed site #{}',p.rank)));box.appendChild(el('div',null,F('Candidate {}',p.candidate_id)+(p.district_id?F(' \u00b7 district {}',p.district_id):'')));box.appendChild(el('div',null,F('Adds {} demand weight; {} % covered with the sites up to this one',fmt(p.marginal_gain,1),fmt(100*p.cumulative_share,1))));box.appendChild(el('div','sub','svcov site '+p.model+' k='+p.k));return box;}
if(D.sites&&D.sites.features&&D.sites.features.length){sites=L.geoJSON(D.sites,{pointToLayer:function(f,ll){return L.circleMarker(ll,{radius:8,color:'#222',weight:2,fillColor:'#ffed40',fillOpacity:1});},onEachFeature:function(f,l){l.bindPopup(function(){return sitePopup(f.properties);});l.bindTooltip(function(){return el('span',null,F('Proposed site #{}',f.properties.rank));});}}).addTo(map);overlays[T('Proposed sites')]=sites;}
function front(){outline.bringToFront();stations.bringToFront();if(sites)sites.bringToFront();}
districts.on('add',front);
L.control.layers(null,overlays,{collapsed:false}).addTo(map);
map.on('overlayadd',front);
L.control.scale({imperial:false}).addTo(map);
var head=L.control({position:'topleft'});head.onAdd=function(){var b=el('div','sv-box');b.appendChild(el('h1',null,D.title));b.appendChild(el('div','sub',D.subtitle));return b;};head.addTo(map);
var leg=L.control({position:'bottomright'});leg.onAdd=function(){var b=el('div','sv-box sv-legend');b.appendChild(el('b',null,T('Legend')));for(var i=0;i<breaks.length;i++){var d=el('div');var s=el('i');s.style.background=green(i,breaks.length);s.style.opacity=.7;d.appendChild(s);d.appendChild(document.createTextNode(F('Within {}',brk(breaks[i]))));b.appendChild(d);}var g=el('div');var gs=el('i');gs.style.background='#e34a33';g.appendChild(gs);g.appendChild(document.createTextNode(F('Gap beyond {}',(breaks.length?brk(breaks[breaks.length-1]):''))));b.appendChild(g);cats.slice(0,12).forEach(function(c,k){var d=el('div');var s=el('i','sym');s.style.background=CAT[k%CAT.length];d.appendChild(s);d.appendChild(document.createTextNode(c));b.appendChild(d);});if(cats.length>12)b.appendChild(el('div','sub',F('and {} more categories (colours repeat)',cats.length-12)));if(D.sites&&D.sites.features&&D.sites.features.length){var sd=el('div');var ss=el('i','sym');ss.style.background='#ffed40';ss.style.border='2px solid #222';sd.appendChild(ss);sd.appendChild(document.createTextNode(T('Proposed site (svcov site)')));b.appendChild(sd);}b.appendChild(el('div','sub',D.footer));return b;};leg.addTo(map);
var bounds=districts.getBounds();if(bounds.isValid())map.fitBounds(bounds,{padding:[10,10]});else map.setView([0,0],2);
// test hook: #svcov-test=DISTRICT_ID opens that district's popup and reports what was drawn
var h=location.hash||'';if(h.indexOf('#svcov-test')===0){var want=decodeURIComponent(h.split('=')[1]||'');var opened=null;districts.eachLayer(function(l){if(!opened&&(l.feature.properties.district_id===want||!want)){l.openPopup(l.getCenter());opened=l;}});var marked=0;stations.eachLayer(function(l){if(/[<>&]/.test(l.feature.properties.name)){l.openTooltip();marked++;}});var pop=document.querySelector('.leaflet-popup-content');var tips=Array.prototype.map.call(document.querySelectorAll('.leaflet-tooltip'),function(t){return t.textContent;});var res={paths:document.querySelectorAll('.leaflet-overlay-pane path').length,districts:districts.getLayers().length,stations:stations.getLayers().length,popup:pop?pop.textContent:null,scripts:document.querySelectorAll('script').length,imgs:document.querySelectorAll('img').length,marked:marked,tooltips:tips,title:document.title};var pre=el('pre',null,JSON.stringify(res));pre.id='svcov-test-result';document.body.appendChild(pre);}
})();
