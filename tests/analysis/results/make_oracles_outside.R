# Reference values for weighting respondents outside the population table's categories
# (analysis/cellweights.py, "Respondents outside the population table's categories"), with R's survey package.
#
#   cd tests/analysis/results && Rscript make_oracles_outside.R
#
# Data: responses.csv and population.csv (make_data.py), changed here, independently of the Python package:
# * the register table has women and men only: each area x age band's "annan" population is split between
#   kvinna (the larger half) and man;
# * every 41st respondent (rows 1, 42, ...) has an unknown area (blank), every 37th from row 2 a blank gender;
#   "annan" respondents stay "annan".
# The method, coded here from its description: u = share of respondents with an unknown area; design weights
# d = N_h (1 - u) / n_h for known areas and N / n for the unknown one; each category outside the table (the
# unknown area; genders "annan" and blank) is a raking level with target N * (its share of sum d); the table's
# categories get T * (1 - the outside shares). Then calibrate(calfun = "raking") to those margins, and the
# post-stratified weights with the others' share kept per area x age band. Writes oracles_outside.csv.
suppressPackageStartupMessages(library(survey))

df <- read.csv("responses.csv", stringsAsFactors = FALSE, na.strings = character(0))
pop <- read.csv("population.csv", stringsAsFactors = FALSE)
out <- list()
put <- function(key, value) out[[key]] <<- sprintf("%.17g", as.numeric(value))
puts <- function(key, value) out[[key]] <<- as.character(value)
puts("meta.R.version", R.version.string)
puts("meta.survey.version", as.character(packageVersion("survey")))
puts("meta.date", format(Sys.Date()))

# --- the register table: women and men only ------------------------------------------------------
reg <- pop[pop$gender != "annan", ]
for (i in seq_len(nrow(reg))) {
  other <- pop$population[pop$area == reg$area[i] & pop$age_band == reg$age_band[i] & pop$gender == "annan"]
  reg$population[i] <- reg$population[i] + if (reg$gender[i] == "kvinna") ceiling(other / 2) else floor(other / 2)
}
write.csv(reg, "population_women_men.csv", row.names = FALSE, quote = FALSE)

# --- unknown areas and blank genders --------------------------------------------------------------
n <- nrow(df)
df$area[seq(1, n, by = 41)] <- ""
df$gender[seq(2, n, by = 37)] <- ""
df$y_unsafe <- ifelse(df$unsafe_evening %in% c("very_safe", "fairly_safe", "fairly_unsafe", "very_unsafe",
                                               "no_out_fear"),
                      as.numeric(df$unsafe_evening %in% c("fairly_unsafe", "very_unsafe", "no_out_fear")), NA)
put("n", n)
put("n.unknown_area", sum(df$area == ""))
put("n.outside_gender", sum(!(df$gender %in% c("kvinna", "man"))))

# --- design weights --------------------------------------------------------------------------------
N <- sum(reg$population)
Nh <- tapply(reg$population, reg$area, sum)
u <- mean(df$area == "")
known <- df$area != ""
nh <- table(df$area[known])
df$d <- ifelse(known, Nh[df$area] * (1 - u) / nh[df$area], N / n)
df$d <- as.numeric(df$d)
put("design.sum", sum(df$d))

# --- raking targets ----------------------------------------------------------------------------------
# factor levels with the outside categories last ("~" sorts after letters), as named columns in R
df$areaf <- factor(ifelse(known, df$area, "~unknown"))
df$genderf <- factor(ifelse(df$gender %in% c("kvinna", "man"), df$gender, paste0("~", df$gender)))
df$bandf <- factor(df$age_band)
share <- function(f, lev) sum(df$d[f == lev]) / sum(df$d)
target <- function(f, tab) {
  out <- c()
  outside <- setdiff(levels(f), names(tab))
  rest <- 1 - sum(vapply(outside, function(l) share(f, l), numeric(1)))
  for (l in levels(f)) out[l] <- if (l %in% outside) N * share(f, l) else tab[[l]] * rest
  out
}
ta <- target(df$areaf, Nh)
tg <- target(df$genderf, tapply(reg$population, reg$gender, sum))
tb <- target(df$bandf, tapply(reg$population, reg$age_band, sum))
for (l in names(tg)) put(paste0("target.gender.", l), tg[[l]])
poptot <- c("(Intercept)" = N, setNames(ta[-1], paste0("areaf", names(ta)[-1])),
            setNames(tg[-1], paste0("genderf", names(tg)[-1])), setNames(tb[-1], paste0("bandf", names(tb)[-1])))
base <- svydesign(ids = ~1, strata = ~areaf, weights = ~d, data = df)
raked <- calibrate(base, ~areaf + genderf + bandf, population = poptot, calfun = "raking",
                   epsilon = 1e-12, maxit = 200)
wr <- weights(raked)
for (i in seq_along(wr)) put(paste0("raked.weight.", i), wr[i])
put("raked.sum", sum(wr))
for (a in names(Nh)) put(paste0("raked.area_sum.", a), sum(wr[df$area == a]))

est <- function(prefix, des, dom) {
  sub <- subset(des, !is.na(y_unsafe) & dom)
  m <- svymean(~y_unsafe, sub, na.rm = TRUE)
  put(paste0(prefix, ".est"), coef(m)[[1]])
  put(paste0(prefix, ".se"), SE(m)[[1]])
}
est("raked.unsafe.total", raked, rep(TRUE, n))
est("raked.unsafe.area=A", raked, df$area == "A")
est("raked.unsafe.gender=kvinna", raked, df$gender == "kvinna")
est("raked.unsafe.gender=annan", raked, df$gender == "annan")

# --- post-stratification: known areas only; the others keep their share of each area x age band -----
ps <- df[known, ]
ps$d <- as.numeric(Nh[ps$area] / table(ps$area)[ps$area])
ps$cell <- paste(ps$area, ps$gender, ps$age_band, sep = "|")
cells <- unique(ps$cell)
freq <- sapply(cells, function(cl) {
  p <- strsplit(cl, "|", fixed = TRUE)[[1]]
  p <- c(p, "")[1:3]
  in_hb <- ps$area == p[1] & ps$age_band == p[3]
  N_hb <- sum(reg$population[reg$area == p[1] & reg$age_band == p[3]])
  s_hb <- sum(ps$d[in_hb & !(ps$gender %in% c("kvinna", "man"))]) / sum(ps$d[in_hb])
  if (p[2] %in% c("kvinna", "man")) {
    reg$population[reg$area == p[1] & reg$gender == p[2] & reg$age_band == p[3]] * (1 - s_hb)
  } else {
    N_hb * sum(ps$d[ps$cell == cl]) / sum(ps$d[in_hb])
  }
})
psdes <- postStratify(svydesign(ids = ~1, strata = ~area, weights = ~d, data = ps), ~cell,
                      data.frame(cell = cells, Freq = unname(freq)))
wp <- weights(psdes)
for (i in seq_along(wp)) put(paste0("ps.weight.", i), wp[i])
est("ps.unsafe.total", psdes, rep(TRUE, nrow(ps)))

write.csv(data.frame(key = names(out), value = unlist(out)), "oracles_outside.csv", row.names = FALSE, quote = FALSE)
