/* The timeline page: draw the server-rendered list (#timeline-list) on one axis with vis-timeline.
 *
 * Each list entry carries its drawing in data- attributes (api/explorer/timeline_page.py):
 * the instants known at each side (data-start, data-end), which side is open (a date known only
 * as a bound: "by" opens the start, "from" the end), its precision and whether it was inferred.
 * A day is drawn as a point, a month or a year (or a visit over several days) as a band; an open
 * side is drawn as a band that fades out over a stretch that says "somewhere here", not a length.
 * Without this script (or vis-timeline) the list is the page. A click on an item opens its page.
 */
(function () {
  "use strict";
  var DAY = 86400000;
  // how far an open side fades out, by the precision of the bound
  var OPEN = { day: 45 * DAY, month: 120 * DAY, year: 365 * DAY };
  var KINDS = [
    ["Visit", "Visits"],
    ["Agreement", "Agreements"],
    ["AgreementCollection", "Document sets"],
    ["Event", "Events"],
  ];

  function parse(text) {
    return text ? new Date(text) : null;
  }

  function itemOf(entry) {
    var data = entry.dataset;
    var start = parse(data.start);
    var end = parse(data.end) || start;
    if (!start) return null;
    if (end < start) { var swap = start; start = end; end = swap; }
    var openStart = data.openStart === "true";
    var openEnd = data.openEnd === "true";
    var fade = OPEN[data.precision] || OPEN.day;
    var classes = ["kind-" + data.kind];
    if (data.inferred === "true") classes.push("inferred");
    var content = document.createElement("span");
    content.textContent = data.label;
    content.dataset.start = data.start;  // the instant known (a test reads it back)
    var item = {
      id: data.id,
      group: data.kind,
      content: content,
      title: data.label + " — " + data.when + (data.inferred === "true" ? " (date inferred)" : ""),
      href: data.href,
    };
    if (openStart || openEnd) {
      if (openStart) { start = new Date(start.getTime() - fade); classes.push("open-start"); }
      if (openEnd) { end = new Date(end.getTime() + fade); classes.push("open-end"); }
      item.type = "range";
      item.start = start;
      item.end = end;
    } else if (end.getTime() - start.getTime() < 2 * DAY) {
      item.type = "point";
      item.start = start;
    } else {
      item.type = "range";
      item.start = start;
      item.end = new Date(end.getTime() + 1000);  // the last second of the period included
    }
    item.className = classes.join(" ");
    return item;
  }

  function draw() {
    var list = document.getElementById("timeline-list");
    var chart = document.getElementById("timeline-chart");
    if (!list || !chart || !window.vis || !window.vis.Timeline) return;
    // on a phone the axis is too narrow to read: the list is the timeline there
    if (window.matchMedia && !window.matchMedia("(min-width: 40rem)").matches) return;
    var items = [];
    var present = {};
    list.querySelectorAll("li[data-id]").forEach(function (entry) {
      var item = itemOf(entry);
      if (item) { items.push(item); present[item.group] = true; }
    });
    if (!items.length) return;
    var groups = KINDS.filter(function (kind) { return present[kind[0]]; }).map(function (kind, index) {
      return { id: kind[0], content: kind[1], order: index, className: "kind-" + kind[0] };
    });
    // the window: every item, with room on the right for the labels of the latest points
    var first = Math.min.apply(null, items.map(function (item) { return item.start.getTime(); }));
    var last = Math.max.apply(null, items.map(function (item) { return (item.end || item.start).getTime(); }));
    var pad = Math.max((last - first) * 0.08, 20 * DAY);
    chart.hidden = false;
    var hint = document.createElement("p");
    hint.className = "muted timeline-hint";
    hint.textContent = "Drag to move along the axis; Ctrl + scroll (or pinch) to zoom. Click an item to open its page.";
    chart.parentNode.insertBefore(hint, chart.nextSibling);
    var dataset = new window.vis.DataSet(items);
    var timeline = new window.vis.Timeline(chart, dataset, new window.vis.DataSet(groups), {
      orientation: { axis: "both", item: "top" },
      start: new Date(first - pad),
      end: new Date(last + 2 * pad),
      stack: true,
      zoomKey: "ctrlKey",
      maxHeight: 560,
      verticalScroll: true,
      margin: { item: { horizontal: 4, vertical: 6 } },
      groupOrder: "order",
      selectable: true,
      showTooltips: true,
      tooltip: { followMouse: true },
    });
    timeline.on("select", function (properties) {
      var chosen = properties.items && properties.items[0];
      var item = chosen && dataset.get(chosen);
      if (item && item.href) window.location.assign(item.href);
    });
    chart.dataset.drawn = String(items.length);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
