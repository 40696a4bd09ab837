// The only script: keeps each score's slider and number field in step. Pages work without it.
document.querySelectorAll("[data-score]").forEach((group) => {
  const range = group.querySelector("input[type=range]");
  const number = group.querySelector("input[type=number]");
  if (!range || !number) return;
  range.addEventListener("input", () => { number.value = range.value; });
  number.addEventListener("input", () => { if (number.value !== "") range.value = number.value; });
});
