// @vitest-environment happy-dom
import { describe, it, expect, beforeEach } from 'vitest';
import { renderTeam } from '../src/views/team.js';
import { ApiError, NETWORK_ERROR_DETAIL } from '../src/api.js';

describe('team overview (Per gebiedsregisseur)', () => {
  let root;
  beforeEach(() => {
    document.body.innerHTML = '<main><h1>Kaart</h1><div id="box"></div></main>';
    root = document.getElementById('box');
  });

  it('lists each regisseur with open, overdue in words and assigned counts, most overdue first', async () => {
    await renderTeam(root, { fetchRegisseurs: async () => ({ items: [
      { username: 'anna', open: 1200, overdue: 0, assigned_open: 2 },
      { username: 'bert', open: 12, overdue: 3, assigned_open: 0 },
      { username: 'carla', open: 40, overdue: 1, assigned_open: 1 },
    ] }) });
    expect(root.querySelector('h2').textContent).toBe('Per gebiedsregisseur');
    const table = root.querySelector('table');
    expect(table.querySelector('caption').textContent).toBe('Open signalen per gebiedsregisseur, te laat opgevolgd en aan hen toegewezen');
    expect([...table.querySelectorAll('thead th')].map((th) => th.textContent))
      .toEqual(['Regisseur', 'Open signalen', 'Te laat', 'Aan hen toegewezen']);
    const rows = [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent));
    expect(rows).toEqual([
      ['bert', '12', '3 te laat', '0'],
      ['carla', '40', '1 te laat', '1'],
      ['anna', '1.200', 'geen', '2'], // Dutch thousands
    ]);
    // overdue is marked with words (and strong), not colour alone
    expect(table.querySelector('tbody tr td.team-overdue strong').textContent).toBe('3 te laat');
    expect(root.querySelector('[aria-live]').textContent).toBe('4 signalen zijn te laat opgevolgd.');
  });

  it('says when nothing is overdue or there is no one yet', async () => {
    await renderTeam(root, { fetchRegisseurs: async () => ({ items: [{ username: 'anna', open: 2, overdue: 0, assigned_open: 0 }] }) });
    expect(root.querySelector('[aria-live]').textContent).toBe('Geen signalen te laat opgevolgd.');
    await renderTeam(root, { fetchRegisseurs: async () => ({ items: [] }) });
    expect(root.querySelector('[aria-live]').textContent).toBe('Er zijn nog geen gebiedsregisseurs met signalen.');
    expect(root.querySelector('table')).toBeNull();
  });

  it('says it needs internet, or the server\'s words', async () => {
    await renderTeam(root, { fetchRegisseurs: async () => { throw new ApiError(0, NETWORK_ERROR_DETAIL); } });
    expect(root.querySelector('[aria-live]').textContent).toBe('Het overzicht per gebiedsregisseur werkt alleen met internet.');
    await renderTeam(root, { fetchRegisseurs: async () => { throw new ApiError(403, 'Je hebt geen toegang tot deze gegevens.'); } });
    expect(root.querySelector('[aria-live]').textContent).toBe('Je hebt geen toegang tot deze gegevens.');
  });
});
