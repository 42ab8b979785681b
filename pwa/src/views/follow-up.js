// The "Opvolgen" screen (route /opvolgen): what the user must follow up, from the
// signals on the phone, so it works offline too.
//
//   renderFollowUp(el, {signals, me, categories, onOpen, now}) → {update({signals, me, categories})}
//
//   el          the element to draw in (its content is replaced)
//   signals     the local signals (store/signals.js all())
//   me          the user's username, or the user {username} (then `username` may also be given)
//   categories  [{code, name}] for the category names
//   onOpen      optional (signal, event) => void: the router's way to open /signalen/<id>;
//               without it the cards are ordinary links to /signalen/<id>
//   now         optional time (ms) for "today" (tests)
//
// Two sections:
//   "Op te volgen"        my signals (created by me or assigned to me) with a follow-up date today or
//                         earlier that are not closed; overdue first ("te laat sinds 28 nov").
//   "Aan mij toegewezen"  open signals assigned to me, with the assignment note and who handed them over.
import { h } from '../dom.js';
import { dateTime } from './dates.js';
import { personalMark } from './labels.js';
import { followUpDue, today } from '../store/search.js';
import { statusName } from './filters.js';
import { firstLine, shortDate, signalLink } from './list.js';

/** The signals for each section, in their order. */
export function followUpLists(signals, me, now = Date.now()) {
  const t = today(now);
  const isMine = (s) => s.created_by === me || s.assignee === me || (s.version == null && !s.created_by);
  const due = signals.filter((s) => isMine(s) && followUpDue(s, t.iso))
    .sort((a, b) => a.follow_up_date.localeCompare(b.follow_up_date) || String(a.id).localeCompare(String(b.id)));
  const assigned = signals.filter((s) => s.assignee === me && s.status !== 'afgesloten')
    .sort((a, b) => String(a.follow_up_date ?? '9999').localeCompare(String(b.follow_up_date ?? '9999'))
      || String(b.observed_at).localeCompare(String(a.observed_at)));
  return { due, assigned, today: t };
}

const nameOf = (me, username) => (typeof me === 'string' ? me : me?.username) || username || '';

export function renderFollowUp(el, { signals = [], me = '', username = '', categories = [], onOpen = null, now } = {}) {
  let state = { signals, me: nameOf(me, username), categories };

  function draw() {
    const catName = (code) => state.categories?.find((c) => c.code === code)?.name ?? code;
    const { due, assigned, today: t } = followUpLists(state.signals, state.me, now ?? Date.now());
    const title = (s) => `${catName(s.category)}${s.kern ? ` — ${s.kern.name}` : ''}`;

    const dueCard = (s) => {
      const late = s.follow_up_date < t.iso;
      return h('li', { class: 'signal-item', 'data-id': s.id }, signalLink(s, onOpen,
        h('span', { class: 'signal-item__title' }, title(s)), ' ',
        h('span', { class: `signal-item__followup${late ? ' signal-item__followup--late' : ''}` },
          late ? h('strong', { class: 'late-mark' }, `te laat sinds ${shortDate(s.follow_up_date, t.year)}`)
            : 'Vandaag opvolgen'), ' ',
        h('span', { class: 'signal-item__text' }, firstLine(s.description)), ' ',
        h('span', { class: 'signal-item__marks' }, personalMark(s),
          h('span', { class: 'signal-item__state' }, statusName(s.status)),
          s.assignee && s.assignee !== state.me ? h('span', { class: 'signal-item__assignee' }, `Toegewezen aan ${s.assignee}`) : null)));
    };

    const assignedCard = (s) => h('li', { class: 'signal-item', 'data-id': s.id }, signalLink(s, onOpen,
      h('span', { class: 'signal-item__title' }, title(s)), ' ',
      h('span', { class: 'signal-item__date' }, dateTime(s.observed_at) ?? ''), ' ',
      h('span', { class: 'signal-item__text' }, firstLine(s.description)), ' ',
      s.created_by && s.created_by !== state.me
        ? h('span', { class: 'signal-item__from' }, `Overgedragen door ${s.created_by}`) : null, ' ',
      s.assignment_note ? h('span', { class: 'assignment-note' }, `Notitie: ${s.assignment_note}`) : null, ' ',
      h('span', { class: 'signal-item__marks' }, personalMark(s),
        s.follow_up_date ? h('span', { class: `signal-item__followup${s.follow_up_date < t.iso ? ' signal-item__followup--late' : ''}` },
          `Opvolgen: ${shortDate(s.follow_up_date, t.year)}`, s.follow_up_date < t.iso ? ' ' : null,
          s.follow_up_date < t.iso ? h('strong', { class: 'late-mark' }, 'te laat') : null) : null,
        h('span', { class: 'signal-item__state' }, statusName(s.status)))));

    el.replaceChildren(
      h('section', { class: 'follow-up__section', 'aria-labelledby': 'opvolgen-title' },
        h('h2', { class: 'utrecht-heading-2', id: 'opvolgen-title' }, 'Op te volgen'),
        due.length
          ? h('p', { class: 'utrecht-paragraph' },
            `${due.length === 1 ? 'Dit signaal vraagt' : `Deze ${due.length} signalen vragen`} vandaag om opvolging.`)
          : null,
        due.length ? h('ul', { class: 'signal-list' }, ...due.map(dueCard))
          : h('p', { class: 'utrecht-paragraph empty-state' },
            'Niets op te volgen: je hebt geen signalen met een opvolgdatum van vandaag of eerder.')),
      h('section', { class: 'follow-up__section', 'aria-labelledby': 'toegewezen-title' },
        h('h2', { class: 'utrecht-heading-2', id: 'toegewezen-title' }, 'Aan mij toegewezen'),
        assigned.length ? h('ul', { class: 'signal-list' }, ...assigned.map(assignedCard))
          : h('p', { class: 'utrecht-paragraph empty-state' },
            'Er zijn nu geen open signalen aan jou toegewezen.')));
  }

  draw();
  return {
    update(next = {}) {
      const { me: nextMe, username: nextName, ...rest } = next;
      state = { ...state, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v != null)) };
      if (nextMe || nextName) state.me = nameOf(nextMe, nextName);
      draw();
    },
  };
}
