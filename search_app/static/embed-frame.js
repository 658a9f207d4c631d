/* /embed inside an iframe: tells the parent page its height, so the helper shown on /integrer resizes the frame. */
(() => {
  "use strict";
  if (window.parent === window) return;
  let last = 0;
  const post = () => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: "recherche-actions:hauteur", height }, "*");
  };
  new ResizeObserver(post).observe(document.documentElement);
  window.addEventListener("load", post);
})();
