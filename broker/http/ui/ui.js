// Small pieces the pages share: running an action from a form, and building tables.
import { esc } from './format.js';

/**
 * Runs `fn` for a form's submit: the button is disabled meanwhile, the answer or the error goes
 * to the form's <output>; `after` runs last (e.g. to disable a button again). A 403 hides the
 * form: the user may not take that action.
 */
export function action(form, fn, after) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const out = form.querySelector('output');
    const buttons = [...form.querySelectorAll('button')];
    buttons.forEach((b) => (b.disabled = true));
    if (out) {
      out.className = '';
      out.textContent = '…';
    }
    try {
      const message = await fn(new FormData(form), ev.submitter);
      if (out) out.textContent = message ?? 'done';
    } catch (err) {
      if (err.status === 403) form.hidden = true;
      if (out) {
        out.className = 'bad';
        out.textContent = `${err.code ?? 'ERROR'}: ${err.message}`;
      }
    } finally {
      buttons.forEach((b) => (b.disabled = false));
      after?.();
    }
  });
}

/** `<table>` from column titles and rows of already-escaped cell HTML. */
export function table(caption, heads, rows, attrs = '') {
  return `<div class="scroll"><table ${attrs}><caption>${esc(caption)}</caption><thead><tr>${heads.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${
    rows.length === 0 ? `<tr><td colspan="${heads.length}" class="muted">none</td></tr>` : rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')
  }</tbody></table></div>`;
}

/** A figure that turns red when it is not zero. */
export function figure(label, value, testid, alarm = true) {
  const bad = alarm && Number(value) > 0;
  return `<div class="figure${bad ? ' bad' : ''}" data-testid="${esc(testid)}"><span class="value">${esc(value)}</span><span class="label">${esc(label)}</span></div>`;
}

export function el(html) {
  const t = document.createElement('template');
  t.innerHTML = html.trim();
  return t.content.firstElementChild;
}
