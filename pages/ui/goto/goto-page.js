// Runs in the portal's page (added by the portal_goto component): go on to the portal's own route.
(function () {
  "use strict";
  var url = document.currentScript && document.currentScript.getAttribute("data-url");
  if (url && url.indexOf("/portal/") === 0 && url.indexOf("//") === -1) {
    window.location.replace(url);
  }
})();
