# Reference values for issue 9's remaining cases, computed with R's survey package.
#
#   cd tests/analysis/results && Rscript make_oracles_robust.R
#
# Reads responses.csv and population.csv (seeded, make_data.py) and writes oracles_robust.csv (key,value,
# sprintf("%.17g")). Nothing here is computed by the analysis package; tests/analysis/test_robust_r.py
# holds the package to these values.
#
#  lonely.<option>.*    a lonely stratum (area D cut to its first respondent), fixed weights w, with
#                       options(survey.lonely.psu = "certainty" / "adjust"); lonelyfpc.adjust.* the same
#                       with fpc = ~Nh; lonelyraked.<option>.* raked (calibrate, calfun = "raking") from the
#                       design weights N_h / n_h of the cut data
#  rsknown.*            svychisq(~y + area, statistic = "F") on the subpopulation of known areas, when every
#                       29th respondent's area is unknown (its own stratum "unknown" in the design)
#  collapse.*           post-stratification with the collapsed post-strata of analysis/cellweights.py's rule
#                       at a minimum of 10, coded here by hand for this data (women and men only)
suppressPackageStartupMessages(library(survey))

df <- read.csv("responses.csv", stringsAsFactors = FALSE, na.strings = character(0))
pop <- read.csv("population.csv", stringsAsFactors = FALSE)
out <- list()
put <- function(key, value) out[[key]] <<- sprintf("%.17g", as.numeric(value))
puts <- function(key, value) out[[key]] <<- as.character(value)
puts("meta.R.version", R.version.string)
puts("meta.survey.version", as.character(packageVersion("survey")))
puts("meta.date", format(Sys.Date()))

code_share <- function(x, counted, base) ifelse(x %in% base, as.numeric(x %in% counted), NA)
df$y <- code_share(df$unsafe_evening, c("fairly_unsafe", "very_unsafe", "no_out_fear"),
                   c("very_safe", "fairly_safe", "fairly_unsafe", "very_unsafe", "no_out_fear"))
Nh <- tapply(pop$population, pop$area, sum)
nh <- table(df$area)
df$w <- as.numeric(Nh[df$area] / nh[df$area]) * df$w_factor
df$Nh <- as.numeric(Nh[df$area])

block <- function(prefix, des, dom) {
  y <- des$variables$y
  sub <- subset(des, !is.na(y) & dom)
  m <- svymean(~y, sub, na.rm = TRUE)
  put(paste0(prefix, ".est"), coef(m)[[1]])
  put(paste0(prefix, ".se"), SE(m)[[1]])
  put(paste0(prefix, ".df"), degf(sub))
}
doms <- function(d) {
  out <- list(total = rep(TRUE, nrow(d)))
  for (g in sort(unique(d$gender))) out[[paste0("gender=", g)]] <- d$gender == g
  for (a in sort(unique(d$area))) out[[paste0("area=", a)]] <- d$area == a
  for (a in sort(unique(d$area))) for (g in sort(unique(d$gender))) {
    sel <- d$area == a & d$gender == g
    if (any(sel)) out[[paste0("area=", a, "&gender=", g)]] <- sel
  }
  out
}

# --- lonely stratum --------------------------------------------------------------------------
lon <- df[df$area != "D" | seq_len(nrow(df)) == which(df$area == "D")[1], ]
lon$d <- as.numeric(Nh[lon$area] / table(lon$area)[lon$area])
puts("lonely.D.gender", lon$gender[lon$area == "D"])
ld <- doms(lon)
lon$area <- factor(lon$area); lon$gender <- factor(lon$gender); lon$age_band <- factor(lon$age_band)
p2 <- pop
p2$area <- factor(p2$area, levels(lon$area)); p2$gender <- factor(p2$gender, levels(lon$gender))
p2$age_band <- factor(p2$age_band, levels(lon$age_band))
poptot <- colSums(model.matrix(~area + gender + age_band, p2) * p2$population)
for (opt in c("certainty", "adjust")) {
  options(survey.lonely.psu = opt)
  des <- svydesign(ids = ~1, strata = ~area, weights = ~w, data = lon)
  for (nm in names(ld)) block(paste0("lonely.", opt, ".", nm), des, ld[[nm]])
  base <- svydesign(ids = ~1, strata = ~area, weights = ~d, data = lon)
  raked <- calibrate(base, ~area + gender + age_band, population = poptot, calfun = "raking",
                     epsilon = 1e-12, maxit = 200)
  for (nm in names(ld)) block(paste0("lonelyraked.", opt, ".", nm), raked, ld[[nm]])
}
options(survey.lonely.psu = "adjust")
des <- svydesign(ids = ~1, strata = ~area, weights = ~w, fpc = ~Nh, data = lon)
for (nm in names(ld)) block(paste0("lonelyfpc.adjust.", nm), des, ld[[nm]])
options(survey.lonely.psu = "fail")

# --- Rao-Scott on the known areas ------------------------------------------------------------
un <- df
un$area2 <- ifelse(seq_len(nrow(un)) %% 29 == 0, "unknown", un$area)
put("rsknown.unknown", sum(un$area2 == "unknown"))
des <- svydesign(ids = ~1, strata = ~area2, weights = ~w, data = un)
r <- svychisq(~y + area2, subset(des, !is.na(y) & area2 != "unknown"), statistic = "F")
put("rsknown.F.statistic", r$statistic); put("rsknown.F.p", r$p.value)
put("rsknown.F.ndf", r$parameter[1]); put("rsknown.F.ddf", r$parameter[2])

# --- collapsed post-strata (minimum 10; women and men only) ----------------------------------
# cells below 10: C/kvinna/12-17 (6) -> C 12-17 (6 + 14 = 20); D: 12-17 (6 + 3 = 9, still below) joins the
# next age band 18-34 (6 + 7) -> D 12-34 (22); D 65+ (8 + 4 = 12); D 35-64 keeps kvinna (10) and man (16)
ps <- df[df$gender %in% c("kvinna", "man"), ]
ps$d <- as.numeric(Nh[ps$area] / table(ps$area)[ps$area])
pp <- pop[pop$gender %in% c("kvinna", "man"), ]
group_of <- function(a, g, b) {
  if (a == "C" && b == "12-17") return("C|12-17")
  if (a == "D" && b %in% c("12-17", "18-34")) return("D|12-34")
  if (a == "D" && b == "65+") return("D|65+")
  paste(a, g, b, sep = "|")
}
ps$psg <- mapply(group_of, ps$area, ps$gender, ps$age_band)
pp$psg <- mapply(group_of, pp$area, pp$gender, pp$age_band)
ptab <- aggregate(population ~ psg, pp, sum); names(ptab) <- c("psg", "Freq")
put("collapse.groups", nrow(ptab))
base <- svydesign(ids = ~1, strata = ~area, weights = ~d, data = ps)
pst <- postStratify(base, ~psg, ptab)
wp <- weights(pst)
for (i in seq_along(wp)) put(paste0("collapse.weight.", i), wp[i])
pd <- doms(ps)
for (nm in names(pd)) block(paste0("collapse.", nm), pst, pd[[nm]])

keys <- names(out)
write.csv(data.frame(key = keys, value = unlist(out, use.names = FALSE)), "oracles_robust.csv", row.names = FALSE,
          quote = TRUE)
cat("wrote", length(keys), "values\n")
