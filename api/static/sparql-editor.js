// The SPARQL editor: YASGUI (vendored) on this server's endpoint, replacing the plain form.
// Everything it needs is on the page; nothing is fetched from another host: the class and
// property autocompleters (which ask LOV) are off, and the endpoint list holds only ours.
(function () {
  "use strict";
  function start() {
    if (typeof Yasgui === "undefined") return; // the script failed: the plain form stays
    var holder = document.getElementById("yasgui");
    var form = document.getElementById("plain-form");
    var endpoint = holder.dataset.endpoint;
    var prefixes = JSON.parse(document.getElementById("sparql-prefixes").textContent);
    var examples = JSON.parse(document.getElementById("sparql-examples").textContent);
    Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
    // Tab moves focus on, as everywhere else on the page, rather than indenting: without this a
    // keyboard user entering the editor could not leave it.
    Yasgui.Yasqe.defaults.extraKeys = Object.assign({}, Yasgui.Yasqe.defaults.extraKeys, { Tab: false, "Shift-Tab": false });
    holder.hidden = false;
    var yasgui = new Yasgui(holder, {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: true,
      persistenceId: null,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
      yasqe: { autocompleters: ["prefixes", "variables"], value: document.getElementById("sparql-query").value }
    });
    var tab = yasgui.getTab();
    tab.setEndpoint(endpoint);
    tab.setQuery(document.getElementById("sparql-query").value);
    // The prefixes Jalinan uses are known: typing `jl:` (or skos:, prov:…) declares it.
    var yasqe = tab.getYasqe();
    if (yasqe && yasqe.addPrefixes) {
      yasqe.on("change", function () {
        var text = yasqe.getValue();
        var declared = yasqe.getPrefixesFromQuery();
        var missing = {};
        Object.keys(prefixes).forEach(function (prefix) {
          if (!(prefix in declared) && new RegExp("(^|[\\s(/^|{])" + prefix + ":\\w").test(text)) {
            missing[prefix] = prefixes[prefix];
          }
        });
        if (Object.keys(missing).length) yasqe.addPrefixes(missing);
      });
    }
    form.hidden = true;
    document.querySelectorAll("a.example").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var example = examples.find(function (e) { return e.name === link.dataset.name; });
        if (!example) return;
        event.preventDefault();
        var current = yasgui.getTab();
        current.setQuery(example.sparql);
        holder.scrollIntoView();
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
