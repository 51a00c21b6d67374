// Small behaviours, no inline scripts (Content Security Policy).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("select[data-autosubmit]")) el.form.submit();
  if (el.matches("select[data-insert-into]") && el.value) {
    const target = document.getElementById(el.dataset.insertInto);
    if (target && !target.disabled) {
      target.value = el.value;
      target.focus();
    }
    el.value = "";
  }
});
