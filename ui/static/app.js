// Patchwork's progressive enhancement: GOV.UK Frontend's components (error
// summary focus, character counts, conditional reveals) and a copy button
// for the team's addresses. Every page works without this file; it only
// makes some of them quicker to use.
//
// The layout loads it as a module and names GOV.UK Frontend's content-hashed
// URL in data-govuk-frontend, since a static file cannot know that hash.

const script = document.querySelector('script[data-govuk-frontend]')

document.body.classList.add('js-enabled')
if ('noModule' in HTMLScriptElement.prototype) {
  document.body.classList.add('govuk-frontend-supported')
}

if (script) {
  const { initAll } = await import(script.dataset.govukFrontend)
  initAll()
}

// Conditional reveals: the content under a radio (data-pw-reveal names it)
// shows only while that radio is chosen. GOV.UK Frontend's radios would do
// this but also set aria-expanded, which a radio may not have.
for (const input of document.querySelectorAll('input[type="radio"][data-pw-reveal]')) {
  const panel = document.getElementById(input.dataset.pwReveal)
  if (!panel) continue
  input.setAttribute('aria-controls', panel.id)
  const sync = () => panel.classList.toggle('govuk-radios__conditional--hidden', !input.checked)
  for (const radio of input.form.querySelectorAll('input[type="radio"]')) {
    if (radio.name === input.name) radio.addEventListener('change', sync)
  }
  sync()
}

// A copy button after each textarea marked data-pw-copy; the status line
// beside it tells screen-reader users what happened.
for (const box of document.querySelectorAll('textarea[data-pw-copy]')) {
  const button = document.createElement('button')
  button.type = 'button'
  button.className = 'govuk-button govuk-button--secondary pw-copy-button'
  button.textContent = box.dataset.pwCopy
  const status = document.createElement('p')
  status.className = 'govuk-body pw-copy-status'
  status.setAttribute('role', 'status')
  box.after(button, status)
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(box.value)
      status.textContent = 'Copied. Paste the addresses into your email program.'
    } catch {
      box.focus()
      box.select()
      status.textContent = 'Your browser did not allow copying. The addresses are selected: copy them with your keyboard or menu.'
    }
  })
}
