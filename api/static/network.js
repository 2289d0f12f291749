// Draws the network embedded in the page (#network-data, the same JSON programs get) with
// cytoscape (vendored). Enhancement only: without JavaScript the table and the form work alone.
// The legend's checkboxes show or hide each kind of tie at once (and still submit with the form);
// a click (or Enter) on a node opens its page. The cytoscape instance is `window.jalinanNetwork`.
(function () {
  "use strict";
  var TIE_COLOURS = {
    "party": "#2b6cb0", "signed": "#2f855a", "witnessed": "#b7791f", "involved": "#718096",
    "visited": "#c53030", "met": "#d53f8c", "post": "#6b46c1", "sub-organisation": "#319795",
    "member": "#975a16", "agreements": "#4a5568"
  };
  var COUNTRY_COLOURS = {
    "https://w3id.org/jalinan/id/malaysia": "#1c4e80",
    "https://w3id.org/jalinan/id/china": "#c8102e"
  };
  var SHAPES = {
    "organisation": "round-rectangle", "person": "ellipse", "country": "diamond",
    "post": "tag", "other": "hexagon"
  };

  function start() {
    var holder = document.getElementById("network-graph");
    var data = document.getElementById("network-data");
    if (!holder || !data || typeof window.cytoscape !== "function") { return; }
    var doc = JSON.parse(data.textContent);
    var overview = !doc.centre;
    var elements = [];
    var maxTies = 1;
    doc.nodes.forEach(function (n) { maxTies = Math.max(maxTies, n.ties || 1); });
    var maxWeight = 1;
    doc.edges.forEach(function (e) { maxWeight = Math.max(maxWeight, e.weight || 1); });
    var left = 0, right = 0;
    doc.nodes.forEach(function (n) {
      var element = {
        group: "nodes",
        data: {
          id: n.id, label: n.label, href: n.href, group: n.group || "other",
          colour: COUNTRY_COLOURS[n.country] || "#8a8f98",
          size: 18 + 26 * Math.sqrt((n.ties || 1) / maxTies),
          centre: doc.centre && n.id === doc.centre.id ? 1 : 0
        }
      };
      if (overview) {  // two columns: Malaysian bodies left, Chinese right, busiest on top
        var column = n.side === "malaysia" ? 0 : 1;
        var row = column === 0 ? left++ : right++;
        element.position = { x: column * 380, y: row * 44 };
      }
      elements.push(element);
    });
    doc.edges.forEach(function (e) {
      elements.push({
        group: "edges",
        data: {
          id: e.id, source: e.from, target: e.to, tie: e.tie,
          colour: TIE_COLOURS[e.tie] || "#4a5568",
          width: overview ? 1.5 + 8 * ((e.weight || 1) / maxWeight) : 1.6
        }
      });
    });
    holder.hidden = false;
    var cy = window.cytoscape({
      container: holder,
      elements: elements,
      wheelSensitivity: 0.3,
      minZoom: 0.1,
      maxZoom: 4,
      style: [
        { selector: "node", style: {
          "shape": function (n) { return SHAPES[n.data("group")] || "hexagon"; },
          "background-color": "data(colour)", "width": "data(size)", "height": "data(size)",
          "label": "data(label)", "font-size": overview ? 11 : 12, "color": "#1a202c", "text-wrap": "ellipsis",
          "text-max-width": overview ? 240 : 160, "text-valign": "bottom", "text-margin-y": 3,
          "text-background-color": "#ffffff", "text-background-opacity": 0.8,
          "text-background-padding": 1, "border-width": 1, "border-color": "#ffffff"
        } },
        { selector: "node[centre = 1]", style: { "border-width": 4, "border-color": "#f6ad55", "font-weight": "bold" } },
        { selector: "edge", style: {
          "line-color": "data(colour)", "width": "data(width)", "curve-style": "bezier",
          "target-arrow-shape": overview ? "none" : "triangle", "target-arrow-color": "data(colour)",
          "arrow-scale": 0.7, "opacity": overview ? 0.55 : 0.8
        } },
        { selector: "edge[tie = \"party\"]", style: { "target-arrow-shape": "none" } },
        { selector: "node:selected", style: { "border-width": 3, "border-color": "#2d3748" } }
      ],
      layout: overview
        ? { name: "preset", fit: true, padding: 30 }
        : { name: "cose", animate: false, randomize: false, padding: 20, nodeRepulsion: 40000,
            nodeOverlap: 40, idealEdgeLength: 110, edgeElasticity: 60, gravity: 0.6, numIter: 1500,
            componentSpacing: 60, nodeDimensionsIncludeLabels: true,
            // the container's shape, so that a wide screen is used and the labels stay legible
            boundingBox: { x1: 0, y1: 0, w: holder.clientWidth, h: holder.clientHeight } }
    });
    if (overview) {  // labels beside the columns, not under the nodes
      cy.nodes().forEach(function (n) {
        var malaysian = n.position("x") === 0;
        n.style({ "text-valign": "center", "text-halign": malaysian ? "left" : "right",
                  "text-margin-x": malaysian ? -6 : 6, "text-margin-y": 0 });
      });
      cy.fit(undefined, 30);
    }
    cy.on("tap", "node", function (event) {
      var href = event.target.data("href");
      if (href) { window.location.assign(href + (overview ? "/network" : "")); }
    });
    window.jalinanNetwork = cy;

    var legend = document.getElementById("network-legend");
    if (legend) {
      legend.addEventListener("change", function (event) {
        var box = event.target;
        if (!box.dataset || !box.dataset.tie) { return; }
        var edges = cy.edges("[tie = \"" + box.dataset.tie + "\"]");
        edges.style("display", box.checked ? "element" : "none");
        document.querySelectorAll("tr[data-tie=\"" + box.dataset.tie + "\"]").forEach(function (row) {
          row.hidden = !box.checked;
        });
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
