// A signal as the capture form makes it, shared by the store and engine tests.
export const FIELDS = {
  category: 'overlast',
  description: 'Geluidsoverlast bij de haven',
  urgency: 'normaal',
  source: 'inwoner',
  location: { lat: 52.7107, lon: 5.748, accuracy_m: 12, method: 'gps' },
  observed_at: '2026-11-28T10:15:00+01:00',
};
