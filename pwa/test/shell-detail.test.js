// @vitest-environment happy-dom
// A signal's screen in the shell: a signal that answers late (fetched from the server) never
// draws over the one the user went to since, and syncs refresh the one on display.
import { describe, it, expect, vi } from 'vitest';
import { renderShell } from '../src/views/shell.js';

describe('the signal on display', () => {
  it('is the last one opened, also when an earlier one answers later', async () => {
    document.body.innerHTML = '<div id="app"></div>';
    const root = document.getElementById('app');
    const views = {};
    const onOpenSignal = vi.fn(async (el, id) => {
      if (id === 'x') await new Promise((r) => setTimeout(r, 40)); // from the server: slow
      el.replaceChildren(document.createTextNode(`Signaal ${id}`));
      views[id] = { title: `Titel ${id}`, refresh: vi.fn(async () => {}) };
      return views[id];
    });
    const shell = renderShell(root, { me: { username: 'anna', role: 'gebiedsregisseur', areas: [] }, onLogout() {}, onOpenSignal });
    const first = shell.show({ name: 'signaal', params: { id: 'x' } });
    await shell.show({ name: 'signaal', params: { id: 'y' } });
    await first;
    expect(root.querySelector('.signal-screen').textContent).toBe('Signaal y');
    expect(root.querySelectorAll('.signal-screen')).toHaveLength(1);
    expect(root.querySelector('h1').textContent).toBe('Titel y');
    shell.showSignals({ signals: [], notices: [] });
    expect(views.y.refresh).toHaveBeenCalledOnce();
    expect(views.x.refresh).not.toHaveBeenCalled();
    shell.destroy();
  });
});
