# Reference values for tests/analysis, computed with R's survey package.
#
#   cd tests/analysis/results && Rscript make_oracles.R
#
# Reads responses.csv and population.csv (written by the seeded make_data.py) and writes
# oracles.csv: key,value with every number printed by sprintf("%.17g"). Provenance rows at the top
# (R.version.string, packageVersion("survey"), date). The Python tests hold analysis/ to these
# values at rtol = 1e-9; nothing here is computed by the analysis package.
suppressPackageStartupMessages(library(survey))

df <- read.csv("responses.csv", stringsAsFactors = FALSE, na.strings = character(0))
pop <- read.csv("population.csv", stringsAsFactors = FALSE)
out <- list()
put <- function(key, value) out[[key]] <<- sprintf("%.17g", as.numeric(value))
puts <- function(key, value) out[[key]] <<- as.character(value)

puts("meta.R.version", R.version.string)
puts("meta.survey.version", as.character(packageVersion("survey")))
puts("meta.date", format(Sys.Date()))

# --- outcomes, coded here independently of the Python package ---------------------------------
code_share <- function(x, counted, base) ifelse(x %in% base, as.numeric(x %in% counted), NA)
df$y_unsafe <- code_share(df$unsafe_evening, c("fairly_unsafe", "very_unsafe", "no_out_fear"),
                          c("very_safe", "fairly_safe", "fairly_unsafe", "very_unsafe", "no_out_fear"))
df$y_robbery <- code_share(df$victim_robbery, "yes", c("yes", "no"))
df$y_trust <- code_share(df$trust_police_cares, c("agree_fully", "agree_mostly"),
                         c("agree_fully", "agree_mostly", "disagree_mostly", "disagree_fully"))
score <- c(very_often = 0, fairly_often = 100 / 3, fairly_rarely = 200 / 3, never = 100)
items <- c("worry_assault", "worry_burglary", "worry_robbery", "worry_vandalism")
S <- sapply(items, function(i) unname(score[df[[i]]]))
nvalid <- rowSums(!is.na(S))
df$idx <- ifelse(nvalid >= 3, rowMeans(S, na.rm = TRUE), NA)

# --- weights ---------------------------------------------------------------------------------
Nh <- tapply(pop$population, pop$area, sum)
nh <- table(df$area)
df$d <- as.numeric(Nh[df$area] / nh[df$area])
df$Nh <- as.numeric(Nh[df$area])
df$w <- df$d * df$w_factor
for (a in names(Nh)) put(paste0("pop.N.", a), Nh[[a]])

fixed <- svydesign(ids = ~1, strata = ~area, weights = ~w, data = df)
fixed_fpc <- svydesign(ids = ~1, strata = ~area, weights = ~w, fpc = ~Nh, data = df)

domains <- list(total = rep(TRUE, nrow(df)))
for (a in sort(unique(df$area))) domains[[paste0("area=", a)]] <- df$area == a
for (g in sort(unique(df$gender))) domains[[paste0("gender=", g)]] <- df$gender == g
for (b in sort(unique(df$age_band))) domains[[paste0("age_band=", b)]] <- df$age_band == b
for (a in sort(unique(df$area))) for (g in sort(unique(df$gender))) {
  sel <- df$area == a & df$gender == g
  if (any(sel)) domains[[paste0("area=", a, "&gender=", g)]] <- sel
}

t_q <- function(df_) qt(0.975, df_)
mod_wilson <- function(p, v, dfree, nkish) {
  nstar <- if (p <= 0 || p >= 1) nkish else p * (1 - p) / v
  q <- qt(0.975, dfree)
  centre <- (p + q^2 / (2 * nstar)) / (1 + q^2 / nstar)
  half <- q / (1 + q^2 / nstar) * sqrt(p * (1 - p) / nstar + q^2 / (4 * nstar^2))
  c(if (p <= 0) 0 else centre - half, if (p >= 1) 1 else centre + half)
}

domain_block <- function(prefix, des, yname, dom, with_ci = TRUE, kg = TRUE) {
  y <- des$variables[[yname]]
  sub <- subset(des, !is.na(y) & dom)
  if (nrow(sub) == 0 || sum(weights(sub) > 0) == 0) return(invisible())
  f <- as.formula(paste0("~", yname))
  m <- svymean(f, sub, na.rm = TRUE)
  p <- coef(m)[[1]]; v <- vcov(m)[1, 1]
  inset <- weights(sub) > 0
  ww <- weights(sub)[inset]
  put(paste0(prefix, ".est"), p)
  put(paste0(prefix, ".se"), sqrt(v))
  put(paste0(prefix, ".n"), sum(inset))
  put(paste0(prefix, ".df"), degf(sub))
  if (!with_ci) return(invisible())
  nk <- sum(ww)^2 / sum(ww^2)
  if (degf(sub) > 0) {
    ci <- mod_wilson(p, v, degf(sub), nk)
    put(paste0(prefix, ".mwilson.low"), ci[1]); put(paste0(prefix, ".mwilson.high"), ci[2])
    # svyciprop(method = "beta") uses nrow(design) - 1, which for a subset of a calibrated design counts
    # every row (STATISTICS §2.3): skipped there (kg = FALSE), as the package defines it with n_D - 1
    if (kg && p > 0 && p < 1 && v > 0) {
      kg <- svyciprop(f, sub, method = "beta")
      put(paste0(prefix, ".kg.low"), attr(kg, "ci")[1]); put(paste0(prefix, ".kg.high"), attr(kg, "ci")[2])
      lg <- svyciprop(f, sub, method = "xlogit", df = degf(sub))
      put(paste0(prefix, ".logit.low"), attr(lg, "ci")[1]); put(paste0(prefix, ".logit.high"), attr(lg, "ci")[2])
    }
    wald <- confint(m, df = Inf)
    put(paste0(prefix, ".wald.low"), wald[1]); put(paste0(prefix, ".wald.high"), wald[2])
  }
}

for (nm in names(domains)) {
  domain_block(paste0("fixed.unsafe.", nm), fixed, "y_unsafe", domains[[nm]])
  domain_block(paste0("fixed.robbery.", nm), fixed, "y_robbery", domains[[nm]])
  domain_block(paste0("fpc.unsafe.", nm), fixed_fpc, "y_unsafe", domains[[nm]], with_ci = FALSE)
  domain_block(paste0("fixed.idx.", nm), fixed, "idx", domains[[nm]], with_ci = FALSE)
}

# --- raking: calibrate(calfun = "raking") from design weights -------------------------------
df$area <- factor(df$area); df$gender <- factor(df$gender); df$age_band <- factor(df$age_band)
base <- svydesign(ids = ~1, strata = ~area, weights = ~d, data = df)
pop$area <- factor(pop$area, levels(df$area)); pop$gender <- factor(pop$gender, levels(df$gender))
pop$age_band <- factor(pop$age_band, levels(df$age_band))
mm <- model.matrix(~area + gender + age_band, pop)
poptot <- colSums(mm * pop$population)
for (nm in names(domains)) domain_block(paste0("design.unsafe.", nm), base, "y_unsafe", domains[[nm]])
raked <- calibrate(base, ~area + gender + age_band, population = poptot, calfun = "raking",
                   epsilon = 1e-12, maxit = 200)
wr <- weights(raked)
for (i in seq_along(wr)) put(paste0("raked.weight.", i), wr[i])
for (nm in names(domains)) {
  domain_block(paste0("raked.unsafe.", nm), raked, "y_unsafe", domains[[nm]], kg = FALSE)
  domain_block(paste0("raked.idx.", nm), raked, "idx", domains[[nm]], with_ci = FALSE)
}
rk <- rake(base, list(~area, ~gender, ~age_band),
           list(xtabs(population ~ area, pop), xtabs(population ~ gender, pop), xtabs(population ~ age_band, pop)),
           control = list(maxit = 1000, epsilon = 1e-12))
wk <- weights(rk)
for (i in seq_along(wk)) put(paste0("rake.weight.", i), wk[i])

# trimming of the raked weights (strict), bounds chosen to bind
upper <- quantile(wr, 0.95)[[1]]; lower <- quantile(wr, 0.05)[[1]]
put("trim.upper", upper); put("trim.lower", lower)
tr <- trimWeights(raked, upper = upper, lower = lower, strict = TRUE)
wt <- weights(tr)
for (i in seq_along(wt)) put(paste0("trim.weight.", i), wt[i])

# --- post-stratification to area x age_band ---------------------------------------------------
df$cell <- interaction(df$area, df$age_band, sep = "|")
pop$cell <- interaction(pop$area, pop$age_band, sep = "|")
pcell <- aggregate(population ~ cell, pop, sum); names(pcell) <- c("cell", "Freq")
base2 <- svydesign(ids = ~1, strata = ~area, weights = ~d, data = df)
ps <- postStratify(base2, ~cell, pcell)
wp <- weights(ps)
for (i in seq_along(wp)) put(paste0("ps.weight.", i), wp[i])
for (nm in c("total", "gender=kvinna", "gender=man", "area=A", "age_band=18-34")) {
  domain_block(paste0("ps.unsafe.", nm), ps, "y_unsafe", domains[[nm]], with_ci = FALSE)
}

# --- same-sample differences (svycontrast) ----------------------------------------------------
contrast_block <- function(prefix, des, yname, g, a, b) {
  # delta method on four totals (svycontrast with a nonlinear contrast); same as
  # svycontrast(svyby(~y, ~g, des, svymean, covmat = TRUE), c(1, -1)), which fails on calibrated subsets
  y <- des$variables[[yname]]
  ok <- !is.na(y)
  des <- update(des, ya = ifelse(ok & g == a, y, 0), xa = as.numeric(ok & g == a),
                yb = ifelse(ok & g == b, y, 0), xb = as.numeric(ok & g == b))
  tt <- svytotal(~ya + xa + yb + xb, des)
  ct <- svycontrast(tt, quote(ya / xa - yb / xb))
  put(paste0(prefix, ".diff"), coef(ct)[[1]]); put(paste0(prefix, ".se"), SE(ct)[[1]])
}
gg <- ifelse(df$gender == "kvinna", "w", ifelse(df$gender == "man", "m", "o"))
contrast_block("fixed.gap.total", fixed, "y_unsafe", gg, "w", "m")
contrast_block("raked.gap.total", raked, "y_unsafe", gg, "w", "m")
gA <- ifelse(df$area == "B", ifelse(gg == "o", "Bo", paste0("B", gg)), "rest")
contrast_block("fixed.gap.area=B", fixed, "y_unsafe", gA, "Bw", "Bm")
contrast_block("raked.gap.area=B", raked, "y_unsafe", gA, "Bw", "Bm")
for (a in levels(df$area)) {
  ar <- ifelse(df$area == a, "in", "rest")
  contrast_block(paste0("fixed.vsrest.area=", a), fixed, "y_unsafe", ar, "in", "rest")
  contrast_block(paste0("raked.vsrest.area=", a), raked, "y_unsafe", ar, "in", "rest")
}

# --- Rao-Scott ------------------------------------------------------------------------------
rs_block <- function(prefix, des, formula) {
  for (st in c("F", "Chisq")) {
    r <- svychisq(formula, des, statistic = st)
    put(paste0(prefix, ".", st, ".statistic"), r$statistic)
    put(paste0(prefix, ".", st, ".p"), r$p.value)
    if (st == "F") { put(paste0(prefix, ".F.ndf"), r$parameter[1]); put(paste0(prefix, ".F.ddf"), r$parameter[2]) }
  }
}
rs_block("rs.fixed.unsafe_gender", subset(fixed, !is.na(y_unsafe)), ~y_unsafe + gender)
rs_block("rs.fixed.unsafe_area", subset(fixed, !is.na(y_unsafe)), ~y_unsafe + area)
rs_block("rs.raked.unsafe_age", subset(raked, !is.na(y_unsafe)), ~y_unsafe + age_band)

# --- unweighted tests and adjustments --------------------------------------------------------
ct <- chisq.test(matrix(c(30, 45, 70, 55), 2), correct = FALSE)
put("chisq.2x2.statistic", ct$statistic); put("chisq.2x2.p", ct$p.value)
tab <- table(df$area, df$y_unsafe)
ct2 <- chisq.test(tab, correct = FALSE)
put("chisq.area_unsafe.statistic", ct2$statistic); put("chisq.area_unsafe.p", ct2$p.value)
put("fisher.2x2.p", fisher.test(matrix(c(2, 7, 8, 3), 2))$p.value)
tabr <- table(df$gender[df$gender != "annan"], df$y_robbery[df$gender != "annan"])
put("fisher.robbery_gender.p", fisher.test(tabr)$p.value)
pv <- c(0.004, 0.010, 0.035, 0.042, 0.200, 0.0001, 0.9)
ph <- p.adjust(pv, "holm")
for (i in seq_along(ph)) put(paste0("holm.", i), ph[i])
for (xn in list(c(30, 100), c(0, 12), c(12, 12), c(100, 420), c(1, 1))) {
  k <- paste0(xn[1], "of", xn[2])
  ci <- prop.test(xn[1], xn[2], correct = FALSE)$conf.int
  put(paste0("wilson.", k, ".low"), ci[1]); put(paste0("wilson.", k, ".high"), ci[2])
  cp <- binom.test(xn[1], xn[2])$conf.int
  put(paste0("cp.", k, ".low"), cp[1]); put(paste0("cp.", k, ".high"), cp[2])
}

# Cronbach's alpha on complete cases (raw codes 1..4), by the textbook formula
cc <- S[complete.cases(S), ]
K <- ncol(cc)
put("alpha.worry", K / (K - 1) * (1 - sum(apply(cc, 2, var)) / var(rowSums(cc))))
put("alpha.worry.n", nrow(cc))

# --- lonely stratum with survey.lonely.psu = "certainty" ----------------------------------
lon <- df[df$area != "D" | seq_len(nrow(df)) == which(df$area == "D")[1], ]
options(survey.lonely.psu = "certainty")
ld <- svydesign(ids = ~1, strata = ~area, weights = ~w, data = lon)
domain_block("lonely.unsafe.total", ld, "y_unsafe", rep(TRUE, nrow(lon)), with_ci = FALSE)
domain_block("lonely.unsafe.gender=kvinna", ld, "y_unsafe", lon$gender == "kvinna", with_ci = FALSE)

keys <- names(out)
write.csv(data.frame(key = keys, value = unlist(out, use.names = FALSE)), "oracles.csv", row.names = FALSE,
          quote = TRUE)
cat("wrote", length(keys), "values\n")
