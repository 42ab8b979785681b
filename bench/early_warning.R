# R's surveillance package on the benchmark's series (called by bench/early_warning.py).
#
#   Rscript bench/early_warning.R counts.csv alarms.csv timings.csv ff_alphas ears_alphas \
#       first last cores
#
# counts.csv: rep,series,t,count (t = 1-based week index of the series, every week).
# ff_alphas, ears_alphas: comma-separated significance levels for farringtonFlexible and
# earsC. first..last: the 1-based weeks assessed. cores: processes (mclapply).
# Writes alarms.csv (rep,series,t,method,alpha: one row per alarm) and timings.csv
# (method,seconds: elapsed time of that method over all replicates and alphas).
#
# farringtonFlexible is fitted once per week and series; its alarm for each alpha is
# then derived from the fitted mean and dispersion with the package's own rule for
# thresholdMethod = "nbPlugin" (upper = qnbinom(1 - alpha, mu0 / (phi - 1), 1 / phi),
# alarm when y > upper, y > 0 and limit54 holds). That derivation is checked against
# the package's own alarms at one alpha (printed; it must be 0 mismatches).
# earsC is run once per method and alpha.

suppressMessages({
  library(surveillance)
  library(parallel)
})

args <- commandArgs(trailingOnly = TRUE)
counts_file <- args[1]
alarms_file <- args[2]
timings_file <- args[3]
alphas <- as.numeric(strsplit(args[4], ",")[[1]])
ears_alphas <- as.numeric(strsplit(args[5], ",")[[1]])
first <- as.integer(args[6])
last <- as.integer(args[7])
cores <- as.integer(args[8])
eval_range <- first:last

d <- read.csv(counts_file)
reps <- sort(unique(d$rep))
n_series <- length(unique(d$series))
n_t <- max(d$t)
observed_of <- function(r) {
  x <- d[d$rep == r, ]
  m <- matrix(0L, nrow = n_t, ncol = n_series)
  m[cbind(x$t, x$series + 1L)] <- x$count
  m
}
obs <- lapply(reps, observed_of)
names(obs) <- reps

ff_control <- function(alpha) list(
  range = eval_range, b = 3, w = 3, noPeriods = 10, weightsThreshold = 2.58,
  pastWeeksNotIncluded = 26, pThresholdTrend = 1, thresholdMethod = "nbPlugin",
  populationOffset = FALSE, limit54 = c(2, 4), alpha = alpha)
check_alpha <- alphas[which.min(abs(log(alphas) - log(0.002)))]

out <- list()
timings <- list()

# --- farringtonFlexible: one fit per week and series, alarms for every alpha ----------
t0 <- proc.time()[["elapsed"]]
tasks <- expand.grid(rep = seq_along(reps), chunk = seq_len(2 * cores))
chunks <- split(seq_len(n_series), cut(seq_len(n_series), 2 * cores, labels = FALSE))
ff_task <- function(i) {
  r <- tasks$rep[i]
  cols <- chunks[[tasks$chunk[i]]]
  m <- obs[[r]][, cols, drop = FALSE]
  s <- sts(observed = m, start = c(2000, 1), frequency = 52)
  res <- suppressWarnings(farringtonFlexible(s, control = ff_control(check_alpha)))
  y <- m[eval_range, , drop = FALSE]
  mu0 <- res@control$mu0Vector
  phi <- res@control$phiVector
  # limit54 = c(2, 4): at least 2 cases in the last 4 weeks
  enough <- sapply(seq_along(cols), function(j)
    sapply(eval_range, function(k) sum(m[(k - 3):k, j]) >= 2))
  rows <- list()
  mismatches <- 0L
  for (a in alphas) {
    upper <- suppressWarnings(
      ifelse(phi > 1, qnbinom(1 - a, mu0 / (phi - 1), 1 / phi), qpois(1 - a, mu0)))
    eta0 <- log(mu0)
    score <- (y - eta0) / (upper - eta0)
    alarm <- enough & !is.na(upper) & !is.na(score) & score > 1 & y != 0
    alarm[is.na(alarm)] <- FALSE
    if (a == check_alpha) {
      pkg <- res@alarm
      pkg[is.na(pkg)] <- FALSE
      mismatches <- sum(pkg != alarm)
    }
    idx <- which(alarm, arr.ind = TRUE)
    if (nrow(idx)) rows[[length(rows) + 1]] <- data.frame(
      rep = reps[r], series = cols[idx[, 2]] - 1L, t = eval_range[idx[, 1]],
      method = "farringtonFlexible", alpha = a)
  }
  list(rows = do.call(rbind, rows), mismatches = mismatches,
       fits = sum(!is.na(mu0)), cells = length(mu0))
}
ff <- mclapply(seq_len(nrow(tasks)), ff_task, mc.cores = cores)
failed <- sapply(ff, function(x) inherits(x, "try-error") || is.null(x$cells))
if (any(failed)) stop("farringtonFlexible failed: ", paste(ff[failed], collapse = "\n"))
out <- c(out, lapply(ff, `[[`, "rows"))
timings[["farringtonFlexible"]] <- proc.time()[["elapsed"]] - t0
cat(sprintf("farringtonFlexible: %d of %d week x series fits gave a baseline; alarms derived for %d alphas; mismatches against the package's own alarms at alpha=%g: %d\n",
            sum(sapply(ff, `[[`, "fits")), sum(sapply(ff, `[[`, "cells")), length(alphas),
            check_alpha, sum(sapply(ff, `[[`, "mismatches"))))

# --- earsC C1, C2, C3: one run per method and alpha ------------------------------------
for (method in c("C1", "C2", "C3")) {
  t0 <- proc.time()[["elapsed"]]
  jobs <- expand.grid(rep = seq_along(reps), alpha = ears_alphas)
  ears_task <- function(i) {
    r <- jobs$rep[i]
    a <- jobs$alpha[i]
    s <- sts(observed = obs[[r]], start = c(2000, 1), frequency = 52)
    res <- earsC(s, control = list(range = eval_range, method = method, baseline = 7, alpha = a))
    al <- res@alarm
    al[is.na(al)] <- FALSE
    idx <- which(al, arr.ind = TRUE)
    if (!nrow(idx)) return(NULL)
    data.frame(rep = reps[r], series = idx[, 2] - 1L, t = eval_range[idx[, 1]],
               method = paste0("earsC ", method), alpha = a)
  }
  out <- c(out, mclapply(seq_len(nrow(jobs)), ears_task, mc.cores = cores))
  timings[[paste0("earsC ", method)]] <- proc.time()[["elapsed"]] - t0
}

alarms <- do.call(rbind, out[!sapply(out, is.null)])
write.csv(alarms, alarms_file, row.names = FALSE)
write.csv(data.frame(method = names(timings), seconds = unlist(timings)), timings_file,
          row.names = FALSE)
