// @vitest-environment happy-dom
// The app's privacy marks and questions: "Bevat persoonsgegevens" in the list
// and the detail, and the question before logging out while signals wait.
import { describe, expect, it, vi, beforeEach } from 'vitest';
import { createSignalList } from '../src/views/list.js';
import { askBeforeLogout, waitingText } from '../src/views/logout-warning.js';

const button = (root, name) => [...root.querySelectorAll('button')].find((b) => b.textContent.trim() === name);
const SIGNAL = {
  id: 's1', category: 'eenzaamheid', description: 'Meneer op nummer 12 komt de deur niet meer uit', urgency: 'hoog',
  status: 'nieuw', observed_at: '2026-11-28T10:00:00+01:00', version: 2, contains_personal_data: true,
  kern: { code: 'K1', name: 'Ens' },
};

describe('"Bevat persoonsgegevens" in the list and the detail', () => {
  let root;
  beforeEach(() => {
    document.body.innerHTML = '<div id="app"></div>';
    root = document.getElementById('app');
  });

  it('marks such signals in words in the list (the signal\'s screen, views/detail.js, has its own test)', () => {
    const list = createSignalList(root, { onDismiss: vi.fn(), searchServer: null });
    list.update({ signals: [SIGNAL, { ...SIGNAL, id: 's2', description: 'Gat in de weg', contains_personal_data: false }] });
    const items = [...root.querySelectorAll('.signal-item__open')];
    expect(items[0].textContent).toContain('Bevat persoonsgegevens');
    expect(items[0].querySelector('.personal-mark').textContent).toBe('Bevat persoonsgegevens');
    expect(items[1].textContent).not.toContain('Bevat persoonsgegevens');
  });

  it('tells, without content, that a signal with a waiting change left the user\'s sight', async () => {
    const onDismiss = vi.fn(async () => {});
    const list = createSignalList(root, { onEdit: vi.fn(), onDelete: vi.fn(), onDismiss });
    list.update({ signals: [], notices: [{ signal_id: 'gone', kind: 'removed', at: 'x' }] });
    expect(root.textContent).toContain('niet meer zichtbaar voor jou');
    expect(root.textContent).not.toContain('Nog geen signalen.');
    button(root, 'Begrepen').click();
    expect(onDismiss).toHaveBeenCalledWith('gone');
    list.update({ signals: [], notices: [{ signal_id: 'x', kind: 'rejected', op: 'update',
      problem: { status: 404, detail: 'Signaal 89d1f643-569b-44ba-94f8-af283ca9871d bestaat niet of u mag het niet zien.' } }] });
    expect(root.textContent).toContain('Een wijziging van je is niet verwerkt: het signaal is niet meer zichtbaar voor jou');
    expect(root.textContent).not.toContain('89d1f643');
  });
});

describe('the question before logging out', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('says how many signals wait, what happens to them, and stays on Escape', async () => {
    expect(waitingText(1)).toBe('Er wacht nog 1 signaal op verzending.');
    expect(waitingText(3)).toBe('Er wachten nog 3 signalen op verzending.');
    const answer = askBeforeLogout(2);
    const dialog = document.querySelector('dialog');
    expect(dialog.getAttribute('aria-labelledby')).toBe('logout-warning-title');
    expect(dialog.textContent).toContain('Er wachten nog 2 signalen op verzending.');
    expect(dialog.textContent).toContain('blijven ze op dit apparaat bewaard en worden ze pas verzonden als jij weer inlogt');
    expect(document.activeElement.textContent).toBe('Ingelogd blijven en verzenden');
    dialog.dispatchEvent(new Event('cancel', { cancelable: true }));
    expect(await answer).toBe('stay');
    expect(document.querySelector('dialog')).toBeNull();
  });

  it('logs out anyway only when asked to', async () => {
    const answer = askBeforeLogout(1);
    expect(document.querySelector('dialog').textContent).toContain('Er wacht nog 1 signaal op verzending.Als je nu uitlogt, blijft het');
    button(document.body, 'Toch uitloggen').click();
    expect(await answer).toBe('logout');
  });
});
