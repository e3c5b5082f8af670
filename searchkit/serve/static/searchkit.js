// The search page, made quicker: results follow the search box as you type, paging and filters swap
// the results in place, the URL always holds the query (shareable; the back button works), and "/"
// focuses the search box. Without this script the page works the same with full page loads.
(function () {
  "use strict";
  var form = document.getElementById("search");
  var box = document.getElementById("q");
  if (!form || !box) { return; }
  var typingTimer = null;
  var inFlight = null;

  function searchUrl() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (value !== "" && !(name === "sort" && value === "relevance")) { params.set(name, value); }
    });
    var query = params.toString();
    return query ? "/?" + query : "/";
  }

  function fillForm(url) {
    var params = new URL(url, location.href).searchParams;
    box.value = params.get("q") || "";
    form.elements.sort.value = params.get("sort") || "relevance";
    form.elements.since.value = params.get("since") || "";
    form.elements.until.value = params.get("until") || "";
    form.elements.plain.checked = params.get("plain") === "1";
    form.elements.histogram.checked = Boolean(params.get("histogram"));
    form.elements.histogram.value = params.get("histogram") || "auto";
  }

  // Fetch the server-rendered page for url and swap its <main> in; history says how the URL changes.
  function show(url, history_) {
    if (inFlight) { inFlight.abort(); }
    var controller = new AbortController();
    inFlight = controller;
    fetch(url, { signal: controller.signal, headers: { Accept: "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("main");
        if (!fresh) { location.assign(url); return; }
        document.getElementById("main").replaceChildren.apply(
          document.getElementById("main"), Array.prototype.slice.call(fresh.childNodes));
        document.title = page.title;
        if (history_ === "push") { window.history.pushState(null, "", url); }
        if (history_ === "replace") { window.history.replaceState(null, "", url); }
        document.body.dataset.shown = url;  // lets tests know a swap finished
      })
      .catch(function (error) { if (error.name !== "AbortError") { location.assign(url); } });
  }

  box.addEventListener("input", function () {
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { show(searchUrl(), "replace"); }, 250);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(typingTimer);
    show(searchUrl(), "push");
  });
  form.addEventListener("change", function (event) {
    if (event.target !== box) { show(searchUrl(), "push"); }
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-soft]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
    event.preventDefault();
    fillForm(link.href);
    show(link.href, "push");
    window.scrollTo(0, 0);
  });
  window.addEventListener("popstate", function () {
    fillForm(location.href);
    show(location.href, "none");
  });
  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });
  var back = document.getElementById("back");
  // Back to the results by the history (keeping the scroll position) only when they are the page before:
  // after "Next result" the page before is another article.
  if (back && document.referrer === back.href && window.history.length > 1) {
    back.addEventListener("click", function (event) { event.preventDefault(); window.history.back(); });
  }
})();
