// Starts Swagger UI on the service's own OpenAPI document (no inline script: the page's CSP allows none).
window.addEventListener("load", function () {
  var element = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: element.dataset.specUrl,
    domNode: element,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
  });
});
