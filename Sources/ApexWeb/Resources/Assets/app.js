// Apex web pages: live history, the "no longer the latest" warning, and presence.
// No framework, no build step; loaded with `defer` from /ui/assets/app.js.
(function () {
  "use strict";
  var body = document.body;
  var project = body.dataset.projectId;
  if (!project) { return; }
  var shown = Number(body.dataset.version || "0");
  var csrf = body.dataset.csrf || "";
  var status = document.getElementById("live-status");
  var timeline = document.getElementById("timeline");
  var stale = document.getElementById("stale");
  var presence = document.getElementById("presence");
  var types = ["project.created", "project.updated", "project.status_changed", "project.deleted", "project.restored",
    "project.reverted", "calculation.run", "calculation.approved", "file.uploaded", "file.deleted", "file.scanned",
    "file.link_created", "file.thumbnail_created"];
  var text = function (name, fallback) { return (status && status.dataset[name]) || fallback; };

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content !== undefined) { node.textContent = content; }
    return node;
  }

  function warnStale(version) {
    if (!stale || version <= shown) { return; }
    stale.textContent = (stale.dataset.template || text("stale", "Version {v} is now the latest.")).replace("{v}", String(version));
    stale.hidden = false;
  }

  function insert(event) {
    if (!timeline || document.getElementById("v" + event.version)) { return; }
    var item = element("li", "entry new");
    item.id = "v" + event.version;
    item.dataset.version = String(event.version);
    var meta = element("div", "meta");
    meta.appendChild(element("strong", "", "v" + event.version));
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(element("code", "", event.type));
    var actor = event.actor || {};
    meta.appendChild(document.createTextNode(" · " + event.recorded_at + " · " + text("by", "by") + " " + (actor.name || actor.user_id || actor.service || "?")));
    item.appendChild(meta);
    if (event.reason) { item.appendChild(element("div", "why", text("reason", "Reason") + ": " + event.reason)); }
    var changes = (event.data && event.data.changes) || null;
    if (changes && typeof changes === "object") {
      var table = element("table", "diff");
      Object.keys(changes).sort().forEach(function (field) {
        var row = element("tr", "added");
        row.appendChild(element("th", "", field));
        var value = changes[field];
        row.appendChild(element("td", "after", typeof value === "string" ? value : JSON.stringify(value)));
        table.appendChild(row);
      });
      item.appendChild(table);
    }
    var link = element("a", "small", text("compare", "Compare with current"));
    link.href = "/ui/projects/" + project + "/compare?from=" + Math.max(0, event.version - 1) + "&to=" + event.version;
    item.appendChild(link);
    timeline.insertBefore(item, timeline.firstChild);
  }

  function showPresence(list) {
    if (!presence) { return; }
    presence.textContent = "";
    var me = body.dataset.user;
    var others = (list.items || []).filter(function (p) { return p.user_id !== me; });
    if (others.length === 0) { presence.textContent = "—"; return; }
    others.forEach(function (p) {
      presence.appendChild(element("span", "who", p.name || p.user_id.slice(0, 8)));
      presence.appendChild(document.createTextNode(" "));
    });
  }

  function heartbeat() {
    fetch("/ui/projects/" + project + "/presence", { method: "POST", headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (list) { if (list) { showPresence(list); } })
      .catch(function () { /* the next heartbeat tries again */ });
  }

  if (stale) { stale.dataset.template = text("stale", ""); }
  if (window.EventSource) {
    var source = new EventSource("/v1/projects/" + project + "/stream");
    source.addEventListener("open", function () {
      if (status) { status.textContent = text("connected", "Live"); status.dataset.state = "open"; }
    });
    types.forEach(function (type) {
      source.addEventListener(type, function (message) {
        var event = JSON.parse(message.data);
        insert(event);
        warnStale(event.version);
      });
    });
    source.addEventListener("presence", function (message) { showPresence(JSON.parse(message.data)); });
  }
  heartbeat();
  window.setInterval(heartbeat, 15000);
})();
