// How a signal's category and place read in lists (alerts, kwesties).

/** "Jeugd – Jeugdoverlast": names from the category list, codes when it has none. */
export function signalWhat(categories, s) {
  const cat = (categories || []).find((c) => c.code === s.category);
  const sub = s.subcategory ? (cat?.subcategories ?? []).find((x) => x.code === s.subcategory)?.name ?? s.subcategory : null;
  return [cat?.name ?? s.category, sub].filter(Boolean).join(' – ');
}

/** The kern's name, or why there is none. */
export function signalWhere(s) {
  return s.kern?.name ?? (s.outside_areas ? 'buiten de kernen' : 'geen kern bekend');
}
