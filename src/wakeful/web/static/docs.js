// Swagger UI from the vendored bundle: no CDN, so the API docs work on a desk with no internet.
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: node.dataset.openapi,
    domNode: node,
    deepLinking: true,
    persistAuthorization: false,
    withCredentials: true,
    validatorUrl: null,  // the default posts the schema to validator.swagger.io
  });
})();
