// The portal_norsk component: adds the translating script (norsk-page.js) to the portal's page
// once, then tells Streamlit it is ready and takes no room.
(function () {
  "use strict";

  function tell(message) {
    message.isStreamlitMessage = true;
    window.parent.postMessage(message, "*");
  }

  try {
    var page = window.parent.document;
    if (!page.getElementById("portal-norsk")) {
      var script = page.createElement("script");
      script.id = "portal-norsk";
      script.src = new URL("norsk-page.js", window.location.href).href;
      page.head.appendChild(script);
    }
  } catch (refused) {
    // Not the portal's own page (another origin): nothing to translate.
  }
  tell({ type: "streamlit:componentReady", apiVersion: 1 });
  tell({ type: "streamlit:setFrameHeight", height: 0 });
})();
