// Progressive enhancement of the PDF panel: while a PDF is being made, ask for its status
// every couple of seconds and show the panel as the server draws it once it is finished.
// Without JavaScript the panel's "Refresh this page" link does the same.
const panel = document.querySelector('[data-document-status]')

if (panel) {
  const url = panel.dataset.documentStatus
  let tries = 0

  const poll = async () => {
    tries += 1
    try {
      const response = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      if (response.ok) {
        const status = await response.json()
        if (status.finished) {
          panel.removeAttribute('data-document-status')
          panel.innerHTML = status.html
          return
        }
      }
    } catch (error) {
      // A dropped connection: try again, and the refresh link still works.
    }
    if (tries < 150) {
      window.setTimeout(poll, 2000)
    }
  }

  window.setTimeout(poll, 1000)
}
