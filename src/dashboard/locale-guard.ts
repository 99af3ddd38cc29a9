// The first script of the dashboard (served as /dashboard/assets/locale-guard.js), before uPlot.

export const DASHBOARD_LOCALE_GUARD_JS = `'use strict';
// A script that fails to load is remembered, so the page can say what broke instead of guessing.
window.addEventListener('error', function (event) {
  if (!window.dashboardLoadError) window.dashboardLoadError = event.message || 'a script failed to load';
});
// uPlot builds an Intl.NumberFormat for navigator.language as it loads; ICU rejects POSIX-style
// languages (en-US@posix under LANG=C.UTF-8), so such a browser gets a language it accepts.
try {
  new Intl.NumberFormat(navigator.language);
} catch (error) {
  Object.defineProperty(navigator, 'language', { value: 'en-US', configurable: true });
}
`;
