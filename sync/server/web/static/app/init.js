// Starts GOV.UK Frontend's components (kept in a file, not inline, so the pages need no inline script).
import { initAll } from "/static/vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
