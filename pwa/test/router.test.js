// @vitest-environment happy-dom
import { describe, it, expect, vi, afterEach } from 'vitest';
import { backTarget, createRouter, match, pathFor } from '../src/router.js';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('routes', () => {
  it('knows every screen of the app, with the id of a signal or kwestie', () => {
    expect(match('/')).toMatchObject({ name: 'signalen' });
    expect(match('/signalen')).toMatchObject({ name: 'signalen' });
    expect(match('/signalen/')).toMatchObject({ name: 'signalen' });
    expect(match('/signalen/0193-ab')).toMatchObject({ name: 'signaal', params: { id: '0193-ab' } });
    expect(match('/nieuw').name).toBe('nieuw');
    expect(match('/opvolgen').name).toBe('opvolgen');
    expect(match('/kaart').name).toBe('kaart');
    expect(match('/waarschuwingen').name).toBe('waarschuwingen');
    expect(match('/kwesties').name).toBe('kwesties');
    expect(match('/kwesties/k%201')).toMatchObject({ name: 'kwestie', params: { id: 'k 1' } });
    expect(match('/signalen/a/b').name).toBe('onbekend');
    expect(match('/iets').name).toBe('onbekend');
    expect(match('/signalen/%E0%A4%A').name).toBe('onbekend'); // not decodable
  });

  it('builds the path of a screen', () => {
    expect(pathFor('signalen')).toBe('/signalen');
    expect(pathFor('signaal', { id: 'a/b' })).toBe('/signalen/a%2Fb');
    expect(pathFor('kwestie', { id: '7' })).toBe('/kwesties/7');
  });
});

describe('router', () => {
  let router;
  afterEach(() => {
    router?.stop();
    router = null;
    document.body.innerHTML = '';
    history.replaceState({}, '', '/');
  });

  it('handles a click on an app link without loading a page, and draws the screen', async () => {
    history.replaceState({}, '', '/signalen');
    const onRoute = vi.fn();
    router = createRouter({ onRoute });
    await router.start();
    expect(onRoute).toHaveBeenLastCalledWith(expect.objectContaining({ name: 'signalen' }), expect.objectContaining({ initial: true }));
    document.body.innerHTML = '<a href="/signalen/s1"><span>Jeugd</span></a>';
    const click = new MouseEvent('click', { bubbles: true, cancelable: true, button: 0 });
    document.querySelector('span').dispatchEvent(click);
    expect(click.defaultPrevented).toBe(true);
    await tick();
    expect(location.pathname).toBe('/signalen/s1');
    expect(onRoute).toHaveBeenLastCalledWith(expect.objectContaining({ name: 'signaal', params: { id: 's1' } }),
      expect.objectContaining({ restore: null, initial: false }));
  });

  it('leaves other links alone: another site, the API, a new tab, a download', () => {
    router = createRouter({ onRoute: () => {} });
    document.body.innerHTML = `<a id="x" href="https://example.org/signalen">x</a><a id="api" href="/api/v1/signals">a</a>
      <a id="tab" href="/kaart" target="_blank">t</a><a id="dl" href="/kaart" download>d</a><a id="ctl" href="/kaart">c</a>`;
    for (const [id, init] of [['x', {}], ['api', {}], ['tab', {}], ['dl', {}], ['ctl', { ctrlKey: true }]]) {
      const click = new MouseEvent('click', { bubbles: true, cancelable: true, button: 0, ...init });
      document.getElementById(id).addEventListener('click', (e) => e.preventDefault()); // no real navigation in the test
      const spy = vi.spyOn(history, 'pushState');
      document.getElementById(id).dispatchEvent(click);
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();
    }
  });

  it('back and forward draw the earlier screen and give back its scroll position', async () => {
    history.replaceState({}, '', '/signalen');
    const routes = [];
    router = createRouter({ onRoute: (route, how) => { routes.push([route.name, how.restore]); } });
    await router.start();
    const scrollTo = vi.spyOn(window, 'scrollTo').mockImplementation(() => {});
    Object.defineProperty(window, 'scrollY', { configurable: true, value: 1234 });
    await router.navigate('/signalen/s1');
    expect(history.state.scrollY).toBeUndefined(); // the new entry starts at the top
    Object.defineProperty(window, 'scrollY', { configurable: true, value: 0 });
    history.back();
    await vi.waitFor(() => expect(routes.at(-1)).toEqual(['signalen', 1234]));
    await tick();
    expect(scrollTo).toHaveBeenCalledWith(0, 1234);
  });

  it('navigate with replace changes the URL without a new history entry', async () => {
    router = createRouter({ onRoute: () => {} });
    const before = history.length;
    await router.navigate('/nieuw', { replace: true });
    expect(location.pathname).toBe('/nieuw');
    expect(history.length).toBe(before);
    expect(router.current.name).toBe('nieuw');
  });

  it('stops listening after stop()', async () => {
    const onRoute = vi.fn();
    router = createRouter({ onRoute });
    router.stop();
    document.body.innerHTML = '<a href="/kaart">k</a>';
    const click = new MouseEvent('click', { bubbles: true, cancelable: true, button: 0 });
    document.querySelector('a').addEventListener('click', (e) => e.preventDefault());
    document.querySelector('a').dispatchEvent(click);
    expect(onRoute).not.toHaveBeenCalled();
  });
});

describe('Terug', () => {
  afterEach(() => history.replaceState({}, '', '/'));

  it('goes back in history to the list it came from (with its filters), else to the list', async () => {
    history.replaceState({}, '', '/signalen?q=fiets');
    const router = createRouter({ onRoute: () => {} });
    await router.navigate('/signalen/s1');
    expect(backTarget('signalen', '/signalen')).toEqual({ href: '/signalen?q=fiets', back: true });
    history.replaceState({}, '', '/signalen/s1'); // opened by its URL
    expect(backTarget('signalen', '/signalen')).toEqual({ href: '/signalen', back: false });
    router.stop();
  });
});
