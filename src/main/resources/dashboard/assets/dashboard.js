// Tollgate dashboard: live figures from /_qs/metrics, pushed updates from the live feed (SSE),
// admin actions through /admin/*. No inline scripts (the pages' Content-Security-Policy forbids
// them), and text from the server goes into the page through textContent only, never as HTML.
(function () {
  "use strict";
  var body = document.body;
  var base = body.dataset.base || "";
  var page = body.dataset.page;
  var RANGES = { "1h": 3600e3, "24h": 86400e3, "7d": 7 * 86400e3, "30d": 30 * 86400e3 };

  function n(x) { return Number(x).toLocaleString("en-US", { maximumFractionDigits: 0 }); }
  function usd(x) { return "$" + Number(x).toLocaleString("en-US", { maximumFractionDigits: 6, useGrouping: false }); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function api(path, options) {
    return fetch(location.origin + base + path, Object.assign({ credentials: "same-origin" }, options || {}));
  }

  // the period picker: custom dates only when "Custom" is chosen; other changes apply at once
  var filters = document.getElementById("filters");
  if (filters) {
    var range = document.getElementById("range");
    var showCustom = function () {
      filters.querySelectorAll(".custom").forEach(function (c) { c.hidden = range.value !== "custom"; });
    };
    showCustom();
    range.addEventListener("change", function () { showCustom(); if (range.value !== "custom") { filters.submit(); } });
    var model = document.getElementById("model");
    if (model && model.tagName === "SELECT") { model.addEventListener("change", function () { filters.submit(); }); }
  }

  // ---- overview: KPIs, charts and tables from the same /_qs/metrics query -----------------------
  var kpis = document.getElementById("kpis");
  var charts = {};
  var palette = ["#4f46e5", "#0ea5e9", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6", "#14b8a6", "#f97316", "#64748b"];

  function query() {
    var p = new URLSearchParams();
    if (kpis.dataset.range === "custom") {
      if (kpis.dataset.from) { p.set("from", kpis.dataset.from); }
      if (kpis.dataset.to) { p.set("to", kpis.dataset.to); }
    } else {
      var to = Date.now() + 1000; // a record written this very second is in the period
      p.set("from", new Date(to - RANGES[kpis.dataset.range]).toISOString());
      p.set("to", new Date(to).toISOString());
    }
    p.set("interval", kpis.dataset.interval);
    if (kpis.dataset.model) { p.set("model", kpis.dataset.model); }
    return p.toString();
  }

  function setKpi(name, value, text) {
    var k = document.getElementById("kpi-" + name);
    k.dataset.value = String(value);
    k.textContent = text;
  }

  function chart(id, type, labels, values, label) {
    var data = { labels: labels, datasets: [{ label: label, data: values, borderColor: palette[0],
      backgroundColor: type === "line" ? "rgba(79,70,229,0.15)" : palette, fill: type === "line", tension: 0.25 }] };
    if (charts[id]) {
      charts[id].data = data;
      charts[id].update("none");
      return;
    }
    charts[id] = new Chart(document.getElementById(id), {
      type: type, data: data,
      options: { responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: type === "doughnut", position: "bottom" } },
        scales: type === "doughnut" ? {} : { y: { beginAtZero: true } } }
    });
  }

  function fillTable(id, groups, keyName) {
    var tbody = document.querySelector("#" + id + " tbody");
    tbody.replaceChildren();
    groups.slice(0, 10).forEach(function (g) {
      var tr = el("tr");
      tr.append(el("td", g[keyName]), el("td", n(g.requests), "num"), el("td", n(g.tokens), "num"), el("td", usd(g.cost_usd), "num"));
      tbody.append(tr);
    });
  }

  function refresh() {
    var q = query();
    return api("/_qs/metrics?" + q).then(function (r) { return r.json(); }).then(function (m) {
      var t = m.totals;
      setKpi("requests", t.requests, n(t.requests));
      setKpi("tokens", t.tokens, n(t.tokens));
      // a cost of $0 for calls that have no price would be a lie: "n/a", and a note of how many were not counted
      setKpi("cost_usd", t.cost_usd, t.requests > 0 && t.unpriced_requests === t.requests ? "n/a" : usd(t.cost_usd));
      var note = document.getElementById("kpi-cost-note");
      if (note) { note.textContent = t.unpriced_requests > 0 ? n(t.unpriced_requests) + " call(s) without a price, not counted" : ""; }
      setKpi("success_rate", t.success_rate, Number(t.success_rate).toFixed(1) + " %");
      setKpi("avg_latency_ms", t.avg_latency_ms, Math.round(t.avg_latency_ms) + " ms");
      setKpi("p95_latency_ms", t.p95_latency_ms, t.p95_latency_ms + " ms");
      setKpi("avg_ttft_ms", t.avg_ttft_ms, Math.round(t.avg_ttft_ms) + " ms");
      document.getElementById("empty-state").hidden = t.requests > 0;
      var hourly = kpis.dataset.interval === "hour";
      chart("chart-tokens", "line", m.timeseries.map(function (b) {
        return hourly ? b.bucket_start.slice(5, 13).replace("T", " ") + "h" : b.bucket_start.slice(0, 10);
      }), m.timeseries.map(function (b) { return b.tokens; }), "tokens");
      chart("chart-models", "doughnut", m.by_model.map(function (g) { return g.model; }),
        m.by_model.map(function (g) { return g.tokens; }), "tokens");
      chart("chart-providers", "bar", m.by_provider.map(function (g) { return g.provider; }),
        m.by_provider.map(function (g) { return g.requests; }), "requests");
      fillTable("top-keys", m.by_api_key, "api_key");
      fillTable("top-users", m.by_user, "user");
      kpis.dataset.query = q;
      kpis.dataset.loaded = "true";
    }).catch(function () { setLive("figures could not be loaded; retrying", false); });
  }

  var pending = null;
  function soon() { // many requests finishing together cost one refresh
    if (!pending) { pending = setTimeout(function () { pending = null; refresh(); }, 250); }
  }
  if (kpis) {
    refresh();
    setInterval(refresh, 30000); // the fallback when the live feed is cut
  }

  // ---- requests: new ones on top, live, on the unfiltered first page -------------------------
  var requests = document.getElementById("requests");
  function prepend(r) {
    var tbody = requests.querySelector("tbody");
    var empty = tbody.querySelector(".empty-row");
    if (empty) { empty.remove(); }
    var tr = el("tr", null, r.status >= 400 ? "failed" : "");
    tr.append(el("td", r.time.replace("T", " ").replace(/\.\d+Z$|Z$/, "")), el("td", r.api_key), el("td", r.user || "—"),
      el("td", r.model || "—"), el("td", r.provider || "—"), el("td", r.status, "num"), el("td", n(r.total_tokens), "num"),
      el("td", r.cost_usd !== undefined ? usd(r.cost_usd) : "—", "num"), el("td", r.latency_ms + " ms", "num"),
      el("td", r.stream && r.ttfb_ms !== undefined ? r.ttfb_ms + " ms" : "—", "num"), el("td", r.stream ? "yes" : "no"));
    tbody.prepend(tr);
    while (tbody.children.length > 50) { tbody.lastElementChild.remove(); }
  }

  // ---- the live feed ---------------------------------------------------------------------------
  var status = document.getElementById("live-status");
  function setLive(text, ok) { status.textContent = text; status.classList.toggle("on", !!ok); }
  if (window.EventSource) {
    var feed = new EventSource(location.origin + base + "/_qs/metrics/ui/events");
    feed.onopen = function () { setLive("live", true); };
    feed.onerror = function () { setLive("reconnecting…", false); };
    feed.addEventListener("record", function (e) {
      if (kpis) { soon(); }
      if (requests && requests.dataset.live === "true") { prepend(JSON.parse(e.data)); }
    });
  } else {
    setLive("refreshing every 30 s", false);
  }

  // ---- keys and users: the admin API underneath ------------------------------------------------
  var result = document.getElementById("action-result");
  function done(promise, reload) {
    return promise.then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) { throw new Error((j.error && j.error.message) || ("HTTP " + r.status)); }
        return j;
      });
    }).then(function (j) {
      if (reload) { location.reload(); }
      return j;
    }).catch(function (e) { result.className = "result error"; result.textContent = e.message; });
  }
  function send(method, path, payload) {
    return api(path, { method: method, headers: { "Content-Type": "application/json" },
      body: payload === undefined ? undefined : JSON.stringify(payload) });
  }
  document.querySelectorAll("form[data-action]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var f = new FormData(form);
      var action = form.dataset.action;
      if (action === "create-user") {
        var user = { id: f.get("id"), name: f.get("name") };
        if (f.get("team")) { user.team = f.get("team"); }
        done(send("POST", "/admin/users", user), true);
      } else if (action === "issue-key") {
        done(send("POST", "/admin/users/" + encodeURIComponent(f.get("user")) + "/keys",
          f.get("name") ? { name: f.get("name") } : {}), false).then(function (j) {
          if (j && j.key) {
            result.className = "result ok";
            result.replaceChildren(el("span", "New key (shown once, copy it now): "), el("code", j.key));
            var tbody = document.querySelector("#keys tbody");
            var empty = tbody.querySelector(".empty-row");
            if (empty) { empty.remove(); }
            var tr = el("tr");
            var state = el("span", j.state, "state state-" + j.state);
            var stateCell = el("td");
            stateCell.append(state);
            tr.append(el("td", j.id), el("td", j.user), el("td", j.name), el("td", j.masked), stateCell,
              el("td", j.expires_at || "never"), el("td"));
            tbody.append(tr);
          }
        });
      } else if (action === "set-limits") {
        // every kind is on the form, filled with what is set now: the PUT replaces the set with exactly what is shown
        var limits = {};
        form.querySelectorAll("input[data-limit]").forEach(function (i) { if (i.value.trim() !== "") { limits[i.name] = Number(i.value); } });
        done(send("PUT", "/admin/" + f.get("subject") + "/limits", limits), false).then(function (j) {
          if (j) { result.className = "result ok"; result.textContent = "Limits saved."; }
        });
      }
    });
  });
  document.querySelectorAll("button[data-revoke]").forEach(function (b) {
    b.addEventListener("click", function () {
      if (window.confirm("Revoke key " + b.dataset.revoke + "? It is refused from the next request on.")) {
        done(send("DELETE", "/admin/keys/" + encodeURIComponent(b.dataset.revoke)), true);
      }
    });
  });

  // a bundle from another server: sent as it is (application/zip), the answer's counts shown as text
  var bundleForm = document.getElementById("bundle-import");
  if (bundleForm) {
    bundleForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var file = document.getElementById("bundle-file").files[0];
      var result = document.getElementById("bundle-result");
      if (!file) { result.className = "result error"; result.textContent = "Choose a bundle file first."; return; }
      result.className = "result"; result.textContent = "Importing…";
      api("/admin/bundles", { method: "POST", headers: { "Content-Type": "application/zip" }, body: file })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
        .then(function (a) {
          if (!a.ok) { result.className = "result error"; result.textContent = a.j.error ? a.j.error.message : "Refused."; return; }
          result.className = "result ok";
          result.textContent = "Imported: " + n(a.j.records_added) + " usage records added (" + n(a.j.records_skipped)
            + " already here), " + n(a.j.log_entries_added) + " logged calls, " + n(a.j.messages_added) + " messages.";
        })
        .catch(function () { result.className = "result error"; result.textContent = "The import did not answer."; });
    });
  }

  // System: reload the config file now, and show what the reload said
  var reload = document.getElementById("config-reload");
  if (reload) {
    reload.addEventListener("click", function () {
      var result = document.getElementById("config-result");
      result.className = "result"; result.textContent = "Reloading…";
      api("/admin/config/reload", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          document.getElementById("config-hash").textContent = j.config.hash;
          document.getElementById("config-error").textContent = j.config.last_error
            ? j.config.last_error.at + ": " + j.config.last_error.message : "—";
          result.className = j.result === "refused" || j.result === "no_file" ? "result error" : "result ok";
          result.textContent = j.result === "reloaded" ? "Reloaded (hash " + j.hash + ")."
            + (j.restart_needed.length ? " Applies at the next start: " + j.restart_needed.join(", ") + "." : "")
            : j.result === "unchanged" ? "The file has not changed." : j.error;
        })
        .catch(function () { result.className = "result error"; result.textContent = "The reload did not answer."; });
    });
  }

  // Gateway log: new lines are fetched every 2 s and appended (as text), with the page's filters
  var gatewayLog = document.getElementById("gateway-log");
  if (gatewayLog) {
    var last = Number(gatewayLog.dataset.last) || 0;
    var follow = function () {
      var q = "after=" + last + "&level=" + encodeURIComponent(gatewayLog.dataset.level)
        + "&q=" + encodeURIComponent(gatewayLog.dataset.q);
      api("/admin/log?" + q).then(function (r) { return r.json(); }).then(function (j) {
        var tbody = gatewayLog.tBodies[0];
        j.data.forEach(function (line) {
          var tr = el("tr", null, "level-" + line.level);
          tr.appendChild(el("td", line.time.replace("T", " ")));
          tr.appendChild(el("td", line.level));
          tr.appendChild(el("td", line.logger.replace(/^dev\.tollgate\./, "")));
          tr.appendChild(el("td", line.message, "message"));
          tr.appendChild(el("td", line.request_id || ""));
          tbody.appendChild(tr);
        });
        last = Math.max(last, j.last);
        while (tbody.rows.length > 2000) { tbody.deleteRow(0); }
      }).catch(function () { }).then(function () { setTimeout(follow, 2000); });
    };
    setTimeout(follow, 2000);
  }

  // Routing: the strategy for the whole fleet, or back to the file's
  var strategyForm = document.getElementById("strategy-form");
  if (strategyForm) {
    strategyForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var chosen = document.getElementById("strategy-choice").value;
      var result = document.getElementById("strategy-result");
      api("/admin/routing", { method: "PUT", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ strategy: chosen === "" ? null : chosen }) })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
        .then(function (a) {
          if (!a.ok) { result.className = "result error"; result.textContent = a.j.error.message; return; }
          location.reload();
        })
        .catch(function () { result.className = "result error"; result.textContent = "The change did not answer."; });
    });
  }

  // Providers: add, edit, disable and delete the credentials kept in the database
  var providerForm = document.getElementById("provider-form");
  if (providerForm) {
    var providerResult = document.getElementById("provider-result");
    var providerDone = function (promise) {
      return promise.then(function (r) {
        if (r.status === 204) { location.reload(); return; }
        return r.json().then(function (j) {
          if (!r.ok) { providerResult.className = "result error"; providerResult.textContent = j.error.message; return; }
          location.reload();
        });
      }).catch(function () { providerResult.className = "result error"; providerResult.textContent = "The change did not answer."; });
    };
    var sendProvider = function (method, path, body) {
      return api(path, { method: method, headers: { "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    };
    providerForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var f = new FormData(providerForm);
      var body = { format: f.get("format") };
      if (f.get("format") === "openai") {
        body.name = f.get("name");
        body["wire-api"] = f.get("wire-api");
      }
      ["base-url", "api-key", "prefix", "proxy-url"].forEach(function (k) { if (f.get(k)) { body[k] = f.get(k); } });
      if (f.get("weight")) { body.weight = Number(f.get("weight")); }
      var excluded = String(f.get("excluded-models") || "").split(",").map(function (x) { return x.trim(); }).filter(Boolean);
      if (excluded.length || f.get("id")) { body["excluded-models"] = excluded; }
      var headerLines = String(f.get("headers") || "").split("\n").map(function (l) { return l.trim(); }).filter(Boolean);
      if (headerLines.length) {
        body.headers = {};
        headerLines.forEach(function (l) {
          var colon = l.indexOf(":");
          if (colon > 0) { body.headers[l.slice(0, colon).trim()] = l.slice(colon + 1).trim(); }
        });
      }
      var models = String(f.get("models") || "").split("\n").map(function (l) { return l.trim(); }).filter(Boolean);
      if (models.length) {
        body.models = models.map(function (l) {
          var eq = l.indexOf("=");
          return eq > 0 ? { id: l.slice(0, eq).trim(), alias: l.slice(eq + 1).trim() } : { id: l };
        });
      }
      var id = f.get("id");
      providerResult.className = "result"; providerResult.textContent = "Saving…";
      providerDone(id ? sendProvider("PUT", "/admin/providers/" + encodeURIComponent(id), body)
        : sendProvider("POST", "/admin/providers", body));
    });
    document.getElementById("provider-form-reset").addEventListener("click", function () {
      providerForm.elements.id.value = "";
      document.getElementById("provider-form-title").textContent = "Add a credential";
    });
    document.querySelectorAll("button[data-provider-edit]").forEach(function (b) {
      b.addEventListener("click", function () {
        var e = providerForm.elements;
        e.id.value = b.dataset.providerEdit;
        e.format.value = b.dataset.format === "anthropic" || b.dataset.format === "gemini" ? b.dataset.format : "openai";
        e.name.value = b.dataset.provider;
        e["base-url"].value = b.dataset.baseUrl;
        e.models.value = b.dataset.models;
        e.prefix.value = b.dataset.prefix;
        e.weight.value = b.dataset.weight;
        e["excluded-models"].value = b.dataset.excluded;
        e.headers.value = "";
        e["api-key"].value = "";
        e["wire-api"].value = b.dataset.format === "openai_responses" ? "responses" : "chat";
        document.getElementById("provider-form-title").textContent = "Edit " + b.dataset.provider + "#" + b.dataset.providerEdit;
        providerForm.scrollIntoView();
      });
    });
    document.querySelectorAll("button[data-provider-toggle]").forEach(function (b) {
      b.addEventListener("click", function () {
        providerDone(sendProvider("PUT", "/admin/providers/" + encodeURIComponent(b.dataset.providerToggle),
          { disabled: b.dataset.disabled !== "true" }));
      });
    });
    document.querySelectorAll("button[data-provider-delete]").forEach(function (b) {
      b.addEventListener("click", function () {
        if (window.confirm("Delete credential " + b.dataset.providerDelete + "? It stops serving on every instance.")) {
          providerDone(sendProvider("DELETE", "/admin/providers/" + encodeURIComponent(b.dataset.providerDelete)));
        }
      });
    });
  }

  // Keys: the limits form shows the chosen key's or user's limits as they are set now
  var limitsForm = document.getElementById("set-limits");
  if (limitsForm) {
    var subject = limitsForm.elements.subject;
    var showLimits = function () {
      if (!subject.value) { return; }
      api("/admin/" + subject.value + "/limits").then(function (r) { return r.json(); }).then(function (j) {
        limitsForm.querySelectorAll("input[data-limit]").forEach(function (i) {
          i.value = j.limits[i.name] !== undefined ? String(j.limits[i.name]) : "";
          i.placeholder = j.effective[i.name] !== undefined && j.limits[i.name] === undefined
            ? "default " + j.effective[i.name] : "";
        });
      }).catch(function () { });
    };
    subject.addEventListener("change", showLimits);
    showLimits();
  }
}());
