/* clusterbrain pages: draws the plotly charts embedded as JSON, keeps the chain map's
   selection in step with the HTMX link panel, and keeps the language switch on the URL
   that HTMX pushed. Everything works without this file, only less conveniently. */
(function () {
  "use strict";

  var FONT = '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';

  function chinesePage() {
    return (document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0;
  }

  function drawCharts(root) {
    if (typeof window.Plotly === "undefined") return;
    var scope = root && root.querySelectorAll ? root : document;
    var targets = scope.querySelectorAll("[data-chart]");
    if (scope.matches && scope.matches("[data-chart]")) targets = [scope].concat([].slice.call(targets));
    [].forEach.call(targets, function (el) {
      if (el.dataset.drawn === "1") return;
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var spec;
      try {
        spec = JSON.parse(source.textContent);
      } catch (err) {
        return;
      }
      el.dataset.drawn = "1";
      var config = {
        responsive: true,
        displaylogo: false,
        displayModeBar: spec.clickable ? true : false,
        modeBarButtonsToRemove: ["select2d", "lasso2d", "toImage", "sendChartToCloud"],
        // Nothing leaves the platform: no "share to the cloud" button.
        showSendToCloud: false,
        showEditInChartStudio: false,
        scrollZoom: !!spec.clickable
      };
      // plotly's toolbar and hints in Chinese (static/web/plotly-locale-zh-cn.js).
      if (chinesePage()) config.locale = "zh-CN";
      spec.layout = spec.layout || {};
      spec.layout.font = spec.layout.font || { family: FONT };
      window.Plotly.newPlot(el, spec.data, spec.layout, config).then(function () {
        el.classList.add("is-drawn");
        if (spec.clickable) {
          el.on("plotly_click", function (event) {
            var point = event && event.points && event.points[0];
            if (point && point.customdata && point.customdata[0]) {
              window.location.href = point.customdata[0];
            }
          });
        }
      });
    });
  }

  function markSelectedLink() {
    var panel = document.querySelector("#link-panel [data-link]");
    var code = panel ? panel.getAttribute("data-link") : null;
    [].forEach.call(document.querySelectorAll(".chainmap-svg .node"), function (node) {
      var selected = node.getAttribute("data-link") === code;
      node.classList.toggle("is-selected", selected);
      if (selected) node.setAttribute("aria-current", "true");
      else node.removeAttribute("aria-current");
    });
    [].forEach.call(document.querySelectorAll(".chainmap-svg .edge"), function (edge) {
      var touches = code && (edge.getAttribute("data-from") === code || edge.getAttribute("data-to") === code);
      edge.classList.toggle("is-related", !!touches);
    });
  }

  // After HTMX pushed a new URL (filters, a link's panel), the language switch returns to it
  // and "show on the map / as a list" keep the filters.
  function syncLanguageNext() {
    var input = document.querySelector(".lang-switch input[name=next]");
    if (input) input.value = window.location.pathname + window.location.search;
    [].forEach.call(document.querySelectorAll("a[data-keep-query]"), function (link) {
      link.search = window.location.search;
    });
  }

  function closeSwitcherOnOutsideClick(event) {
    [].forEach.call(document.querySelectorAll("details.switcher[open]"), function (details) {
      if (!details.contains(event.target)) details.removeAttribute("open");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts(document);
    markSelectedLink();
    document.addEventListener("click", closeSwitcherOnOutsideClick);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        [].forEach.call(document.querySelectorAll("details.switcher[open]"), function (d) {
          d.removeAttribute("open");
          d.querySelector("summary").focus();
        });
      }
    });
    if (window.htmx) {
      window.htmx.onLoad(function (content) {
        drawCharts(content);
      });
      document.body.addEventListener("htmx:afterSettle", function (event) {
        if (event.target && event.target.id === "link-panel") {
          markSelectedLink();
          var title = document.getElementById("panel-title");
          if (title) {
            title.setAttribute("tabindex", "-1");
            title.focus({ preventScroll: true });
          }
        }
        syncLanguageNext();
      });
      // A form of a profile's editor came back with errors: focus the notice above them (each
      // swap brings a new notice, focused once).
      document.body.addEventListener("htmx:afterSettle", function () {
        var alert = document.querySelector("#editor .form-alert:not([data-focused])");
        if (alert) {
          alert.setAttribute("data-focused", "1");
          alert.focus();
        }
      });
      document.body.addEventListener("htmx:pushedIntoHistory", syncLanguageNext);
    }
  });
})();
