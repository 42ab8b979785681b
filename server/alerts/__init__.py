"""Early warning: detections of rising or clustering signals, with their evidence."""
