// The search page, made quicker: results follow the search box as you type, paging, filters, facets and
// timeline bars swap the results in place, the URL always holds the search (shareable; the back button
// works), "/" focuses the box, j/k or the arrow keys move through the hits (Enter opens one), and a drag
// across the timeline's bars narrows the dates to them. Without this script the page works the same with
// full page loads.
(function () {
  "use strict";
  var LIVE_DELAY_MS = 250;     // quiet after a keystroke before the results follow the box
  var ERROR_DELAY_MS = 1200;   // more quiet before a query error is shown while typing (a phrase half typed)
  var LOADING_DELAY_MS = 150;  // an answer quicker than this shows no loading state
  var HIDDEN_FIELDS = ["histogram", "collapse", "facets", "now", "lang"];

  var form = document.getElementById("search");
  var box = document.getElementById("q");
  if (!form || !box) { return; }
  var loading = document.getElementById("loading");
  var liveStatus = document.getElementById("live-status");
  var typingTimer = null;
  var errorTimer = null;
  var loadingTimer = null;
  var inFlight = null;

  function searchUrl() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (value !== "" && !(name === "sort" && value === "relevance")) { params.set(name, value); }
    });
    var query = params.toString();
    return query ? "/?" + query : "/";
  }

  function setHidden(name, value) {
    var field = form.querySelector("input[type=hidden][name=" + name + "]");
    if (!value) { if (field) { field.remove(); } return; }
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = name;
      form.appendChild(field);
    }
    field.value = value;
  }

  // The form shows what url asks for (the header is not swapped with the results).
  function fillForm(url) {
    var params = new URL(url, location.href).searchParams;
    box.value = params.get("q") || "";
    form.elements.sort.value = params.get("sort") || "relevance";
    form.elements.since.value = params.get("since") || "";
    form.elements.until.value = params.get("until") || "";
    form.elements.plain.checked = params.get("plain") === "1";
    HIDDEN_FIELDS.forEach(function (name) { setHidden(name, params.get(name)); });
  }

  function busy(on) {
    clearTimeout(loadingTimer);
    if (on) {
      loadingTimer = setTimeout(function () {
        document.body.classList.add("busy");
        if (loading) { loading.hidden = false; }
        document.getElementById("main").setAttribute("aria-busy", "true");
      }, LOADING_DELAY_MS);
      return;
    }
    document.body.classList.remove("busy");
    if (loading) { loading.hidden = true; }
    document.getElementById("main").removeAttribute("aria-busy");
  }

  // Only the count is announced to screen readers, not the whole list of hits.
  function announce() {
    if (!liveStatus) { return; }
    var total = document.getElementById("total");
    var stories = document.getElementById("stories");
    var summary = document.querySelector("#main .summary");
    var text = "";
    if (total) {
      text = total.textContent + " articles" + (stories ? ", " + stories.textContent + " stories" : "");
    } else if (summary) {
      text = summary.textContent.trim();
    }
    liveStatus.textContent = text;
  }

  function swap(page, url, history_) {
    var fresh = page.getElementById("main");
    var main = document.getElementById("main");
    main.replaceChildren.apply(main, Array.prototype.slice.call(fresh.childNodes));
    document.title = page.title;
    if (history_ === "push") { window.history.pushState(null, "", url); }
    if (history_ === "replace") { window.history.replaceState(null, "", url); }
    announce();
    document.body.dataset.shown = url;  // lets tests know a swap finished
  }

  // Fetch the server-rendered page for url and swap its <main> in; history says how the URL changes.
  // While typing (live), a query error waits for a longer pause: the last results stay meanwhile.
  function show(url, history_, live) {
    if (inFlight) { inFlight.abort(); }
    clearTimeout(errorTimer);
    var controller = new AbortController();
    inFlight = controller;
    busy(true);
    var status = 0;
    fetch(url, { signal: controller.signal, headers: { Accept: "text/html" } })
      .then(function (response) { status = response.status; return response.text(); })
      .then(function (html) {
        if (inFlight !== controller) { return; }
        inFlight = null;
        busy(false);
        var page = new DOMParser().parseFromString(html, "text/html");
        if (!page.getElementById("main")) { location.assign(url); return; }
        if (live && status === 400) {
          errorTimer = setTimeout(function () { swap(page, url, history_); }, ERROR_DELAY_MS);
          return;
        }
        swap(page, url, history_);
      })
      .catch(function (error) {
        if (error.name === "AbortError") { return; }
        busy(false);
        location.assign(url);
      });
  }

  function go(url) {
    fillForm(url);
    show(url, "push", false);
  }

  box.addEventListener("input", function () {
    clearTimeout(typingTimer);
    clearTimeout(errorTimer);
    typingTimer = setTimeout(function () { show(searchUrl(), "replace", true); }, LIVE_DELAY_MS);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(typingTimer);
    show(searchUrl(), "push", false);
  });
  form.addEventListener("change", function (event) {
    if (event.target !== box) { show(searchUrl(), "push", false); }
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-soft]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
    event.preventDefault();
    if (dragged) { dragged = false; return; }
    go(new URL(link.getAttribute("href"), location.href).href);  // an SVG link's href is not a string
    if (!link.closest(".facets") && !link.closest(".timeline")) { window.scrollTo(0, 0); }
  });
  window.addEventListener("popstate", function () {
    fillForm(location.href);
    show(location.href, "none", false);
  });

  // Keyboard: "/" to the box; j/k or the arrow keys through the hits; Enter opens (a focused link);
  // Escape back to the box.
  function hitLinks() { return Array.prototype.slice.call(document.querySelectorAll("#main .hit .headline")); }

  function moveTo(links, number) {
    document.querySelectorAll("#main .hit.current").forEach(function (hit) { hit.classList.remove("current"); });
    if (number < 0) { box.focus(); return; }
    var link = links[Math.min(number, links.length - 1)];
    link.closest(".hit").classList.add("current");
    link.focus();
    link.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var active = document.activeElement;
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName);
    var links = hitLinks();
    var at = links.indexOf(active);
    if (event.key === "/" && !typing) {
      event.preventDefault();
      box.focus();
      box.select();
    } else if (active === box && event.key === "ArrowDown" && links.length) {
      event.preventDefault();
      moveTo(links, 0);
    } else if (!typing && links.length && (event.key === "j" || (event.key === "ArrowDown" && at >= 0))) {
      event.preventDefault();
      moveTo(links, at + 1);
    } else if (!typing && at >= 0 && (event.key === "k" || event.key === "ArrowUp")) {
      event.preventDefault();
      moveTo(links, at - 1);
    } else if (at >= 0 && event.key === "Escape") {
      moveTo(links, -1);
    }
  });

  // A drag across the timeline's bars narrows the dates from the first bar's start to the last's end.
  var dragStart = null;
  var dragEnd = null;
  var dragged = false;

  function barAt(event) {
    var found = document.elementFromPoint(event.clientX, event.clientY);
    var bar = found && found.closest && found.closest(".chart [data-since]");
    return bar && dragStart && bar.ownerSVGElement === dragStart.ownerSVGElement ? bar : null;
  }

  function markRange() {
    var bars = Array.prototype.slice.call(dragStart.ownerSVGElement.querySelectorAll("[data-since]"));
    var from = bars.indexOf(dragStart);
    var to = bars.indexOf(dragEnd);
    bars.forEach(function (bar, number) {
      bar.classList.toggle("selected", number >= Math.min(from, to) && number <= Math.max(from, to));
    });
    return from <= to ? [dragStart, dragEnd] : [dragEnd, dragStart];
  }

  document.addEventListener("pointerdown", function (event) {
    var bar = event.button === 0 && event.target.closest && event.target.closest(".chart [data-since]");
    if (!bar) { return; }
    dragStart = dragEnd = bar;
    dragged = false;
  });
  document.addEventListener("pointermove", function (event) {
    if (!dragStart) { return; }
    var bar = barAt(event);
    if (bar && bar !== dragEnd) { dragEnd = bar; markRange(); }
  });
  document.addEventListener("pointerup", function () {
    if (!dragStart) { return; }
    var range = markRange();
    var moved = dragEnd !== dragStart;
    dragStart = dragEnd = null;
    if (!moved) { return; }
    dragged = true;  // the click that follows is the drag's end, not a bar's link
    setTimeout(function () { dragged = false; }, 0);
    var url = new URL(location.href);
    url.searchParams.set("since", range[0].dataset.since);
    url.searchParams.set("until", range[1].dataset.until);
    url.searchParams.delete("page");
    go(url.pathname + url.search);
  });
  document.addEventListener("dragstart", function (event) {
    if (event.target.closest && event.target.closest(".chart")) { event.preventDefault(); }
  });

  var back = document.getElementById("back");
  // Back to the results by the history (keeping the scroll position) only when they are the page before:
  // after "Next result" the page before is another article.
  if (back && document.referrer === back.href && window.history.length > 1) {
    back.addEventListener("click", function (event) { event.preventDefault(); window.history.back(); });
  }
})();
