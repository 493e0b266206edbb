// The portal_goto component: sends the whole page on to one of the portal's own routes
// (/portal/innlogging sets the login cookie, /portal/utlogging clears it). A component's frame may
// not navigate the page itself, so it adds goto-page.js to the page, which does it from there.
(function () {
  "use strict";

  function tell(message) {
    message.isStreamlitMessage = true;
    window.parent.postMessage(message, "*");
  }

  window.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type !== "streamlit:render") {
      return;
    }
    var url = data.args && data.args.url;
    if (typeof url !== "string" || url.indexOf("/portal/") !== 0) {
      return;
    }
    try {
      var page = window.parent.document;
      if (page.getElementById("portal-goto")) {
        return;
      }
      var script = page.createElement("script");
      script.id = "portal-goto";
      script.setAttribute("data-url", url);
      script.src = new URL("goto-page.js", window.location.href).href;
      page.head.appendChild(script);
    } catch (refused) {
      // Not the portal's own page: nowhere to go.
    }
  });
  tell({ type: "streamlit:componentReady", apiVersion: 1 });
  tell({ type: "streamlit:setFrameHeight", height: 0 });
})();
