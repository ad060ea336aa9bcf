package org.ctai.viewer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in a real browser (Debian's chromium + chromium-driver, headless): log in, the patient with three
 * studies charts one point per study, a study shows a real overlay PNG of the stored size and moves with the
 * arrow keys, a script in a Patient Name shows as text and never runs, and the language switch works.
 * Screenshots go to target/screenshots/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrowserTest {
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    static final SyntheticHistory.Patient RESPONDING = new SyntheticHistory.Patient("P-6006", "HOSP", "ROSSI^ANNA");
    private Clinic clinic;
    private WebServer server;
    private WebDriver driver;
    private String base;

    @BeforeAll
    void start() throws Exception {
        clinic = new Clinic();
        server = TestServers.start(clinic);
        base = "http://127.0.0.1:" + server.port();
        Path profile = Files.createTempDirectory("ctai-chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=1400,1000", "--lang=en-US");
        options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
        org.openqa.selenium.logging.LoggingPreferences logs = new org.openqa.selenium.logging.LoggingPreferences();
        logs.enable(org.openqa.selenium.logging.LogType.BROWSER, java.util.logging.Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        // the driver path given explicitly: otherwise Selenium Manager tries the internet
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        Files.createDirectories(SCREENSHOTS);
        respondingPatient();
    }

    /**
     * A patient whose targets (30 and 20 mm, plus a 6 mm non-target) shrink to 18 + 14 mm (-36 %: PR), then a new
     * 12 mm lesion appears (PD whatever the targets do).
     */
    private void respondingPatient() throws Exception {
        SyntheticHistory h = new SyntheticHistory(clinic.db, clinic.dataDir);
        String[] dates = {"20240201", "20240501", "20240801"};
        double[][] diameters = {{30, 20, 6}, {18, 14, 5}, {19, 15, 5, 12}};
        double[][] centres = {{-60, -20, 100}, {40, 10, 80}, {10, 40, 130}, {-20, 60, 60}};
        for (int i = 0; i < 3; i++) {
            List<SyntheticHistory.LesionSpec> lesions = new java.util.ArrayList<>();
            for (int k = 0; k < diameters[i].length; k++) {
                double d = diameters[i][k];
                double area = Math.PI * Math.pow(d / 2.2, 2); // SyntheticHistory gives a diameter of 2.2 sqrt(area / pi)
                // at the last study the patient lies 40 mm further along the table and 15 mm higher
                double dy = i == 2 ? -15 : 0, dz = i == 2 ? 40 : 0;
                lesions.add(new SyntheticHistory.LesionSpec(area * d * 0.6, area, Math.PI * d, 45, centres[k][0], centres[k][1] + dy, centres[k][2] + dz));
            }
            h.doneJob(h.series(RESPONDING, "1.2.3.600" + i, dates[i], "CT LIVER FOLLOW-UP", "AXIAL 2.5 mm", "queued"), lesions, 2, Clinic.ROWS, Clinic.COLUMNS,
                    SyntheticHistory.body(-100, 200, 2.5, 0, i == 2 ? -15 : 0, i == 2 ? 40 : 0));
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (driver != null) driver.quit();
        if (server != null) server.close();
        if (clinic != null) clinic.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void doctorFollowsAPatientFromLoginToTheContours() throws Exception {
        driver.get(base + "/login");
        driver.manage().deleteAllCookies();
        driver.get(base + "/patient?id=P-1001&issuer=HOSP");
        assertThat(driver.getCurrentUrl()).contains("/login?next=");
        driver.findElement(By.id("user")).sendKeys(TestServers.ADMIN);
        driver.findElement(By.id("password")).sendKeys(TestServers.ADMIN_PASSWORD);
        driver.findElement(By.id("submit")).click();
        waitReady();
        assertThat(driver.getCurrentUrl()).isEqualTo(base + "/patient?id=P-1001&issuer=HOSP");
        assertThat(driver.findElement(By.id("patient-name")).getText()).isEqualTo("DOE^JANE");

        // one point per study, read from the chart itself
        Map<String, Object> chart = (Map<String, Object>) js("""
                const c = echarts.getInstanceByDom(document.getElementById('chart-volume')).getOption();
                return { labels: c.xAxis[0].data, names: c.series.map(s => s.name), points: c.series.map(s => s.data.filter(v => v !== null).length),
                         first: c.series[1].data };""");
        assertThat((List<Object>) chart.get("labels")).containsExactly("2024-01-10", "2024-04-10", "2024-07-10");
        assertThat((List<Object>) chart.get("names")).containsExactly("Total", "Lesion 1", "Lesion 2");
        assertThat((List<Object>) chart.get("points")).containsOnly(3L);
        assertThat((List<Object>) chart.get("first")).containsExactly(12000L, 8000L, 5000L);
        for (String id : List.of("chart-area", "chart-perimeter", "chart-meanHu")) {
            assertThat(js("return echarts.getInstanceByDom(document.getElementById(arguments[0])).getOption().series.map(s => s.data.length)", id))
                    .as(id).isEqualTo(List.of(3L, 3L));
        }
        assertThat(driver.findElements(By.cssSelector("section.study"))).hasSize(3);
        screenshot("patient-history");

        driver.findElements(By.cssSelector("section.study a.study-link")).get(0).click();
        waitReady();
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> (Boolean) js("const i = document.getElementById('overlay'); return i.complete && i.naturalWidth > 0;"));
        assertThat(js("return document.getElementById('overlay').naturalWidth")).isEqualTo((long) Clinic.COLUMNS);
        assertThat(js("return document.getElementById('overlay').naturalHeight")).isEqualTo((long) Clinic.ROWS);
        String slice = driver.findElement(By.id("overlay")).getAttribute("data-slice");
        assertThat(driver.findElement(By.id("features")).getText()).contains("Perimeter", "mm²", "Inverse difference moment");
        driver.findElement(By.tagName("body")).sendKeys(Keys.ARROW_RIGHT);
        assertThat(driver.findElement(By.id("overlay")).getAttribute("data-slice")).isEqualTo(String.valueOf(Integer.parseInt(slice) + 1));
        assertThat(driver.findElements(By.cssSelector("a.download-seg, a.download-sr"))).hasSize(2);
        screenshot("study");

        // a download is a real file through the session
        Object status = ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1]; fetch(document.querySelector('a.download-seg').href).then(r => done(r.status + ' ' + r.headers.get('content-type')));");
        assertThat(status).isEqualTo("200 application/dicom");
    }

    @Test
    void changePerLesionTableShowsNumbersInEveryCellInBothLanguages() throws Exception {
        login();
        for (String language : List.of("en", "zh-CN")) {
            driver.manage().addCookie(new org.openqa.selenium.Cookie("ctai_lang", language));
            driver.get(base + "/patient?id=P-1001&issuer=HOSP");
            waitReady();
            assertThat(driver.findElement(By.tagName("html")).getAttribute("lang")).isEqualTo(language);
            List<String> header = texts("#changes thead th");
            List<String> lesion1 = texts("#changes tbody tr:first-child td");
            // track, date, then value / since previous / since first for volume, area, perimeter and mean HU
            assertThat(header).as(language).hasSize(2 + 4 * 3);
            assertThat(lesion1).as(language).hasSize(2 + 4 * 3);
            assertThat(String.join("|", header) + String.join("|", lesion1)).as(language).doesNotContain("[object", "undefined");
            assertThat(lesion1.get(1)).isEqualTo("2024-07-10");
            // lesion 1 went 12000 -> 8000 -> 5000 mm3
            assertThat(lesion1.get(2).replaceAll("[^0-9.]", "")).isEqualTo("5000.0");
            assertThat(lesion1.get(3)).contains("-37.5 %");
            assertThat(lesion1.get(4)).contains("-58.3 %");
            screenshot("patient-changes-" + language);
        }
        driver.manage().addCookie(new org.openqa.selenium.Cookie("ctai_lang", "en"));
    }

    @Test
    void responseLineAndTargetLesionsReadAsTextInBothLanguages() throws Exception {
        login();
        record Expected(String language, String rule, String targets, String baseline, String partial, String progressive, String newLesion,
                        List<String> roles) { }
        for (Expected e : List.of(
                new Expected("en", "computed, for review by a radiologist", "Target lesions: Lesion 1 (30.0 mm), Lesion 2 (20.0 mm).",
                        "Baseline for the response: sum of longest diameters 50.0 mm (2 target lesions).",
                        "Response: PR (partial response): sum of longest diameters 32.0 mm, -36.0 % from baseline (50.0 mm), -36.0 % from nadir (50.0 mm); "
                                + "computed, for review by a radiologist.",
                        "Response: PD (progressive disease): sum of longest diameters 34.0 mm, -32.0 % from baseline (50.0 mm), +6.3 % from nadir (32.0 mm); "
                                + "computed, for review by a radiologist.",
                        "New lesion: Lesion 4 (12.0 mm).", List.of("target", "target", "non-target", "new")),
                new Expected("zh-CN", "计算所得，供放射科医师审核", "靶病灶：病灶 1 (30.0 mm)、病灶 2 (20.0 mm)。",
                        "疗效评估基线：最长径之和 50.0 毫米（2 个靶病灶）。",
                        "疗效：PR（部分缓解）：最长径之和 32.0 毫米，较基线 -36.0 %（50.0 毫米），较最低值 -36.0 %（50.0 毫米）。计算所得，供放射科医师审核。",
                        "疗效：PD（疾病进展）：最长径之和 34.0 毫米，较基线 -32.0 %（50.0 毫米），较最低值 +6.3 %（32.0 毫米）。计算所得，供放射科医师审核。",
                        "新病灶：病灶 4 (12.0 mm)。", List.of("靶病灶", "靶病灶", "非靶病灶", "新病灶")))) {
            driver.manage().addCookie(new org.openqa.selenium.Cookie("ctai_lang", e.language()));
            driver.get(base + "/patient?id=" + RESPONDING.id() + "&issuer=" + RESPONDING.issuer());
            waitReady();
            assertThat(driver.findElement(By.id("response-rule")).getText()).as(e.language()).contains(e.rule());
            assertThat(driver.findElement(By.id("response-targets")).getText()).isEqualTo(e.targets());
            assertThat(texts("section.study p.response")).as(e.language()).containsExactly(e.baseline(), e.partial(), e.progressive());
            assertThat(texts("section.study p.response-new")).containsExactly(e.newLesion());
            // the lesion table of the last study marks each lesion's role; the target rows are bold
            assertThat(texts("section.study:last-of-type table.lesions td.role")).isEqualTo(e.roles());
            assertThat(texts("section.study:last-of-type table.lesions tr.target td:first-child"))
                    .containsExactly(e.language().equals("en") ? "Lesion 1" : "病灶 1", e.language().equals("en") ? "Lesion 2" : "病灶 2");
            // the last study was aligned before its lesions were matched, and the page says by how much
            assertThat(driver.findElement(By.cssSelector("section.study:last-of-type p.alignment")).getText()).isEqualTo(e.language().equals("en")
                    ? "Aligned with the study of 2024-05-01: the patient lay 0.0 mm (x, to the left), -15.0 mm (y, to the back), +40.0 mm (z, towards the head) from there; 300 mm of overlap."
                    : "已与 2024-05-01 的检查对齐：患者相对该次检查移动了 0.0 毫米（x，向左）、-15.0 毫米（y，向后）、+40.0 毫米（z，向头侧）；重叠 300 毫米。");
            assertThat(driver.findElement(By.id("matching")).getText()).contains(e.language().equals("en") ? "after aligning each study" : "先将每次检查与此前的检查对齐");
            screenshot("patient-response-" + e.language());
        }
        driver.manage().addCookie(new org.openqa.selenium.Cookie("ctai_lang", "en"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void lesionTablesFitOrScrollInsideTheirBoxAt1280And1920PixelsWide() throws Exception {
        login();
        try {
            for (int width : List.of(1280, 1920)) {
                driver.manage().window().setSize(new org.openqa.selenium.Dimension(width, 1000));
                driver.get(base + "/patient?id=P-1001&issuer=HOSP");
                waitReady();
                // the layout as the browser made it: for each table, the box it must stay inside (the nearest
                // ancestor that scrolls sideways, else the page's main column) and whether it is wider than that box
                List<Map<String, Object>> tables = (List<Map<String, Object>>) js("""
                        const main = document.querySelector('main');
                        const mainStyle = getComputedStyle(main);
                        const mainRight = main.getBoundingClientRect().right - parseFloat(mainStyle.paddingRight);
                        const scroller = (e) => { for (let p = e.parentElement; p && p !== main; p = p.parentElement) {
                            if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) return p; } return null; };
                        return [...document.querySelectorAll('#changes, table.lesions')].map((t) => {
                          const box = scroller(t);
                          const r = (box || t).getBoundingClientRect();
                          return { id: t.id || t.className, boxRight: r.right, mainRight,
                                   tableWidth: t.getBoundingClientRect().width, scrolls: box !== null,
                                   boxWidth: box ? box.clientWidth : null, boxScrollWidth: box ? box.scrollWidth : null };
                        });""");
                long pageOverflow = (Long) js("return document.documentElement.scrollWidth - document.documentElement.clientWidth");
                screenshot("patient-" + width);
                assertThat(tables).as("tables at %d px", width).hasSizeGreaterThan(1);
                assertThat(pageOverflow).as("the page is wider than the window at %d px: %s", width, tables).isLessThanOrEqualTo(0);
                for (Map<String, Object> t : tables) {
                    double boxRight = ((Number) t.get("boxRight")).doubleValue();
                    double mainRight = ((Number) t.get("mainRight")).doubleValue();
                    assertThat(boxRight).as("right edge of %s's box at %d px: %s", t.get("id"), width, t).isLessThanOrEqualTo(mainRight + 0.5);
                    if ((Boolean) t.get("scrolls")) {
                        // a table wider than its box scrolls inside it, the rest of the page stays put
                        assertThat(((Number) t.get("boxScrollWidth")).doubleValue())
                                .isGreaterThanOrEqualTo(((Number) t.get("tableWidth")).doubleValue() - 0.5);
                    }
                }
            }
        } finally {
            driver.manage().window().setSize(new org.openqa.selenium.Dimension(1400, 1000));
        }
    }

    @Test
    void patientAndStudyPagesShowTheShortAxis() throws Exception {
        login();
        long latest = clinic.janeJobs.get(2);
        clinic.execute("UPDATE scp.lesion SET measurements = jsonb_set(measurements, '{shortAxisMm}', '31.25') WHERE job_id = ? AND lesion_id = 1", latest);
        driver.get(base + "/patient?id=P-1001&issuer=HOSP");
        waitReady();
        List<String> header = texts("section.study:last-of-type table.lesions thead th");
        List<String> lesion1 = texts("section.study:last-of-type table.lesions tbody tr:first-child td");
        assertThat(lesion1.get(header.indexOf("Short axis (mm)"))).isEqualTo("31.3");

        driver.get(base + "/study?job=" + latest);
        waitReady();
        assertThat(driver.findElement(By.id("lesion-features")).getText()).contains("Short axis on the slice of the longest diameter 31.3 mm");
    }

    @Test
    void studyPageShowsTheTimeOfEachProcessingStage() throws Exception {
        login();
        driver.get(base + "/study?job=" + clinic.janeJobs.get(2));
        waitReady();
        assertThat(driver.findElement(By.id("stages")).getText())
                .isEqualTo("load 0.42 s · preprocess 0.04 s · inference 5.76 s · postprocess 0.31 s · write 0.15 s");
    }

    private List<String> texts(String css) {
        return driver.findElements(By.cssSelector(css)).stream().map(org.openqa.selenium.WebElement::getText).toList();
    }

    @Test
    void aScriptInThePatientNameIsShownAsTextAndNeverRuns() throws Exception {
        login();
        driver.get(base + "/?patient=P-2002");
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> !d.findElements(By.cssSelector("#worklist a.patient")).isEmpty());
        assertThat(driver.findElement(By.cssSelector("#worklist a.patient")).getText()).isEqualTo("<script>alert(1)</script>");
        assertThat(driver.findElement(By.cssSelector("#worklist tbody")).getText()).contains("<img src=x onerror=alert(3)>");
        assertNoDialog();
        driver.get(base + "/patient?id=P-2002&issuer=HOSP");
        waitReady();
        assertThat(driver.findElement(By.id("patient-name")).getText()).isEqualTo("<script>alert(1)</script>");
        assertThat(driver.findElements(By.cssSelector("main script, main img:not(#overlay), main svg"))).isEmpty();
        assertNoDialog();
        driver.findElement(By.cssSelector("section.study a.study-link")).click();
        waitReady();
        assertThat(driver.findElement(By.id("study")).getText()).contains("<img src=x onerror=alert(3)>", "\"><svg onload=alert(4)>");
        assertNoDialog();
        screenshot("script-in-name");
    }

    @Test
    void worklistShowsFailuresAndTheLanguageSwitchesToChinese() throws Exception {
        login();
        driver.get(base + "/");
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> d.findElements(By.cssSelector("#worklist tbody tr")).size() >= 10);
        assertThat(driver.findElement(By.cssSelector("tr[data-state=failed]")).getText()).contains(Clinic.FAILED_REASON);
        assertThat(driver.findElements(By.cssSelector("button.retry"))).hasSize(3); // failed, dead, dead delivery
        assertThat(driver.findElement(By.id("status")).getText()).contains("refreshing");
        screenshot("worklist");
        new Select(driver.findElement(By.id("language"))).selectByValue("zh-CN");
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "工作列表".equals(d.findElement(By.tagName("h1")).getText()));
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> d.findElements(By.cssSelector("#worklist tbody tr")).size() >= 10);
        assertThat(driver.findElement(By.cssSelector("html")).getAttribute("lang")).isEqualTo("zh-CN");
        screenshot("worklist-zh");
        new Select(driver.findElement(By.id("language"))).selectByValue("en");
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "Worklist".equals(d.findElement(By.tagName("h1")).getText()));
    }

    @Test
    void worklistShowsIgnoredAndSkippedSeriesWithTheirReasonAndFiltersByStateInBothLanguages() throws Exception {
        SyntheticHistory h = new SyntheticHistory(clinic.db, clinic.dataDir);
        String ignoredReason = "liver: rule.4 (imageType not contains LOCALIZER): imageType contains LOCALIZER (ORIGINAL\\PRIMARY\\LOCALIZER)";
        String skippedReason = "outside the model's domain: gantry tilt 18.5°, the model takes at most 5°";
        h.job(h.series(Clinic.FAIL, "1.2.3.310", "20240502", "CT CHEST", "SCOUT", "queued"), "ignored", ignoredReason);
        h.job(h.series(Clinic.FAIL, "1.2.3.311", "20240502", "CT HEAD", "BRAIN 5 mm", "queued"), "skipped", skippedReason);
        login();

        driver.get(base + "/?state=ignored");
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> d.findElements(By.cssSelector("#worklist tbody tr[data-state]")).size() == 1);
        String row = driver.findElement(By.cssSelector("tr[data-state=ignored]")).getText();
        assertThat(row).contains("SCOUT").contains("ignored").contains(ignoredReason);
        assertThat(driver.findElements(By.cssSelector("tr[data-state=ignored] button.retry"))).isEmpty();
        assertThat(new Select(driver.findElement(By.id("filter-state"))).getOptions().stream().map(o -> o.getAttribute("value")).toList())
                .contains("ignored", "skipped", "not-chosen", "failed", "undelivered");

        driver.get(base + "/?state=skipped");
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> d.findElements(By.cssSelector("#worklist tbody tr[data-state]")).size() == 1);
        assertThat(driver.findElement(By.cssSelector("tr[data-state=skipped]")).getText()).contains("skipped").contains(skippedReason);

        new Select(driver.findElement(By.id("language"))).selectByValue("zh-CN");
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "工作列表".equals(d.findElement(By.tagName("h1")).getText()));
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> !d.findElements(By.cssSelector("tr[data-state=skipped]")).isEmpty());
        assertThat(driver.findElement(By.cssSelector("tr[data-state=skipped]")).getText()).contains("已跳过").contains(skippedReason);
        new Select(driver.findElement(By.id("language"))).selectByValue("en");
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "Worklist".equals(d.findElement(By.tagName("h1")).getText()));
    }

    @Test
    void aPriorsJobSaysForWhichStudyItWasFetchedByDateAndDescriptionInBothLanguages() throws Exception {
        SyntheticHistory h = new SyntheticHistory(clinic.db, clinic.dataDir);
        SyntheticHistory.Patient p = new SyntheticHistory.Patient("P-9009", "HOSP", "BIANCHI^LUCA");
        // the asking study's description is DICOM text: markup and placeholders in it stay text
        String asking = "CT ABDOMEN <img src=x onerror=alert(9)> $& {date}";
        h.doneJob(h.series(p, "1.2.3.9100", "20240905", asking, "AXIAL 1.25", "queued"), List.of(), 0, Clinic.ROWS, Clinic.COLUMNS);
        h.doneJob(h.series(p, "1.2.3.9101", "20230612", "CT ABDOMEN PRIOR", "AXIAL 5", "queued"), List.of(), 0, Clinic.ROWS, Clinic.COLUMNS);
        h.priorFetched("1.2.3.9101", "1.2.3.9100", "20230612");
        login();

        driver.get(base + "/?patient=P-9009");
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> d.findElements(By.cssSelector("#worklist tbody tr[data-state]")).size() == 2);
        List<String> rows = texts("#worklist tbody tr[data-state]");
        String prior = rows.stream().filter(r -> r.contains("AXIAL 5")).findFirst().orElseThrow();
        String current = rows.stream().filter(r -> r.contains("AXIAL 1.25")).findFirst().orElseThrow();
        assertThat(prior).contains("prior, fetched for the study of 2024-09-05: " + asking);
        assertThat(current).doesNotContain("prior");
        assertThat(driver.findElements(By.cssSelector("#worklist .prior-for"))).hasSize(1);
        assertThat(driver.findElements(By.cssSelector("#worklist img"))).isEmpty();
        assertNoDialog();
        screenshot("worklist-prior");

        new Select(driver.findElement(By.id("language"))).selectByValue("zh-CN");
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "工作列表".equals(d.findElement(By.tagName("h1")).getText()));
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> d.findElements(By.cssSelector("#worklist .prior-for")).size() == 1);
        assertThat(driver.findElement(By.cssSelector("#worklist .prior-for")).getText())
                .isEqualTo("既往检查，为 2024-09-05 的检查调取：" + asking);
        assertNoDialog();
        screenshot("worklist-prior-zh");
        new Select(driver.findElement(By.id("language"))).selectByValue("en");
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "Worklist".equals(d.findElement(By.tagName("h1")).getText()));
    }

    private void login() {
        driver.get(base + "/login");
        if (!driver.getCurrentUrl().contains("/login")) return;
        driver.manage().deleteAllCookies();
        driver.get(base + "/login");
        driver.findElement(By.id("user")).sendKeys(TestServers.ADMIN);
        driver.findElement(By.id("password")).sendKeys(TestServers.ADMIN_PASSWORD);
        driver.findElement(By.id("submit")).click();
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> !d.getCurrentUrl().contains("/login"));
    }

    private void assertNoDialog() {
        assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
    }

    private void waitReady() {
        try {
            new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> "true".equals(js("return document.body.dataset.ready || ''")));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("page " + driver.getCurrentUrl() + " not ready; browser log: " + browserLog(), e);
        }
    }

    private String browserLog() {
        StringBuilder b = new StringBuilder();
        for (var entry : driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER)) b.append('\n').append(entry.getMessage());
        return b.toString();
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    private void screenshot(String name) throws Exception {
        Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
