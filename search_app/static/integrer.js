/* /integrer: a "Copier" button on each code sample (progressive enhancement). */
(() => {
  "use strict";
  for (const pre of document.querySelectorAll(".integrer-code")) {
    const button = document.createElement("button");
    const status = document.createElement("span");
    button.type = "button";
    button.className = "button integrer-copy";
    button.textContent = "Copier";
    status.setAttribute("role", "status");
    status.className = "integrer-copied";
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(pre.textContent);
        status.textContent = "Code copié.";
      } catch (error) {
        getSelection().selectAllChildren(pre);
        status.textContent = "Copie impossible : le code est sélectionné, copiez-le avec Ctrl+C.";
      }
    });
    pre.after(button, status);
  }
})();
