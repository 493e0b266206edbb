// Streamlit's own widget texts in Norwegian. Streamlit has no setting for its language, so this
// script, served by the portal itself (allowed by the CSP) and added to the page once by the
// portal_norsk component, watches the page and rewrites the English texts and labels it knows.
// It changes only text and attributes, never elements: React keeps owning the DOM. It runs in
// the page's own realm, so it lives as long as the page, whatever happens to the component's frame.
(function () {
  "use strict";

  var EXACT = {
    "Drag and drop files here": "Dra og slipp filer hit",
    "Drag and drop file here": "Dra og slipp filen hit",
    "Drag and drop a file here": "Dra og slipp filen hit",
    "Browse files": "Velg filer",
    "Upload": "Last opp",
    "file upload": "Velg filer",
    "Add files": "Legg til filer",
    "Remove file": "Fjern filen",
    "Choose options": "Velg",
    "Choose an option": "Velg",
    "Select all": "Velg alle",
    "No results": "Ingen treff",
    "Clear all": "Fjern alle",
    "Clear value": "Tøm",
    "Open": "Åpne",
    "Download as CSV": "Last ned som CSV",
    "Download as PNG": "Last ned som bilde (PNG)",
    "Show data": "Vis tallene",
    "Show chart": "Vis diagrammet",
    "Copy Vega-Lite spec": "Kopier diagrammets oppskrift",
    "Copied!": "Kopiert!",
    "Clear selection": "Fjern valget",
    "Toggle fullscreen": "Fullskjerm av eller på",
    "Search": "Søk",
    "Fullscreen": "Fullskjerm",
    "Close fullscreen": "Lukk fullskjerm",
    "Show/hide columns": "Vis eller skjul kolonner",
    "Add row": "Legg til rad",
    "Delete row": "Slett rad",
    "Delete rows": "Slett rader",
    "Running...": "Arbeider …",
    "Stop": "Stopp",
    "Connecting": "Kobler til",
    "Page not found": "Fant ikke siden",
    "Close": "Lukk",
    "Copy to clipboard": "Kopier",
    "Choose a date": "Velg dato",
    "Choose date": "Velg dato",
    "Choose date range": "Velg periode",
    "Clear date": "Tøm dato",
    "Clear dates": "Tøm datoene",
    "Date range": "Periode",
    "Quick select a date range": "Hurtigvalg av periode",
    "Select...": "Velg …",
    "Use arrow keys to navigate dates. Enter to select. Escape to close.":
      "Bruk piltastene for å velge dato. Enter velger, Escape lukker.",
    "Skip to main content": "Hopp til innholdet",
    "Navigate to home page": "Til startsiden",
    "App pages": "Sider",
    "Link to heading": "Lenke til overskriften",
    "Logo": "Logo",
    "Collapse sidebar": "Skjul sidemenyen",
    "Expand sidebar": "Vis sidemenyen",
    "Main menu": "Meny",
  };
  var PATTERNS = [
    [/^([\d.,]+\s?[KMG]?B) per file$/, "$1 per fil"],
    [/^(?:.+ |This type of )files are not allowed\.$/, "Denne filtypen er ikke tillatt."],
    [/^File must be ([\d.,]+\s?[KMG]?B) or smaller\.$/, "Filen må være $1 eller mindre."],
    [/^Select (\d+) matches$/, "Velg $1 treff"],
    [/^Help for (.*)$/, "Hjelp for $1"],
    [/^Add: (.*)$/, "Legg til: $1"],
    [/^Showing page (\d+) of (\d+)$/, "Side $1 av $2"],
    [/^Press (.+) to apply$/, "Trykk $1 for å bruke"],
    [/^Press (.+) to submit form$/, "Trykk $1 for å sende skjemaet"],
    [/^You have requested page .*$/, "Siden finnes ikke. Du er sendt til startsiden."],
    [/^The page that you have requested does not seem to exist.*$/, "Siden finnes ikke. Du er sendt til startsiden."],
  ];
  var ATTRIBUTES = ["aria-label", "title", "placeholder"];

  function translated(text) {
    var trimmed = text.trim();
    if (!trimmed) return null;
    if (Object.prototype.hasOwnProperty.call(EXACT, trimmed)) return text.replace(trimmed, EXACT[trimmed]);
    for (var i = 0; i < PATTERNS.length; i++) {
      if (PATTERNS[i][0].test(trimmed)) return text.replace(trimmed, trimmed.replace(PATTERNS[i][0], PATTERNS[i][1]));
    }
    return null;
  }

  function fixText(node) {
    var better = translated(node.nodeValue || "");
    if (better !== null && better !== node.nodeValue) node.nodeValue = better;
  }

  function fixAttributes(element) {
    for (var i = 0; i < ATTRIBUTES.length; i++) {
      var value = element.getAttribute(ATTRIBUTES[i]);
      if (value) {
        var better = translated(value);
        if (better !== null && better !== value) element.setAttribute(ATTRIBUTES[i], better);
      }
    }
  }

  function fixTree(root) {
    if (root.nodeType === 3) return fixText(root);
    if (root.nodeType !== 1) return;
    fixAttributes(root);
    var doc = root.ownerDocument;
    var walker = doc.createTreeWalker(root, 5 /* elements and text */);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeType === 3) fixText(node);
      else fixAttributes(node);
    }
  }

  function install(win) {
    if (win.__portalNorsk) return;
    win.__portalNorsk = true;
    var doc = win.document;
    fixTree(doc.body);
    new win.MutationObserver(function (changes) {
      for (var i = 0; i < changes.length; i++) {
        var change = changes[i];
        if (change.type === "characterData") fixText(change.target);
        else if (change.type === "attributes") fixAttributes(change.target);
        else for (var j = 0; j < change.addedNodes.length; j++) fixTree(change.addedNodes[j]);
      }
    }).observe(doc.body, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeFilter: ATTRIBUTES,
    });
  }

  install(window);
})();
