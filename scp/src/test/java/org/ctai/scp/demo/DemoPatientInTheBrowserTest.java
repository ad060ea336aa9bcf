package org.ctai.scp.demo;

import org.ctai.scp.Dcmtk;
import org.ctai.scp.Node;
import org.ctai.scp.TestDatabase;
import org.ctai.scp.TestNodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.ctai.inference.phantom.PhantomFiles;
import org.ctai.inference.phantom.PhantomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo patient's three studies go through the whole pipeline, then a doctor uses the node's own page in
 * a real browser (Debian's Chromium): log in, the patient's history chart has one point per study, a study
 * shows a real overlay PNG of the slice's size.
 */
class DemoPatientInTheBrowserTest {
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    @TempDir
    Path tmp;

    private Node node;
    private ChromeDriver driver;

    @AfterEach
    void stop() {
        if (driver != null) driver.quit();
        if (node != null) node.close();
    }

    @Test
    void doctorSeesTheDemoPatientsHistoryAndContours() throws Exception {
        node = Node.start(TestNodes.config(tmp.resolve("data"), TestDatabase.freshDatabase()));
        int size = 256;
        for (int i = 0; i < 3; i++) {
            PhantomFiles files = PhantomGenerator.write(PhantomGenerator.generate(DemoCommand.study(i, 8).withSize(size)), tmp.resolve("study-" + i));
            assertThat(Dcmtk.storescu(TestNodes.CALLER, node.dicomPort(), files.images()).exitCode()).isZero();
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> TestNodes.count(node.dataSource(), "SELECT count(*) FROM scp.job WHERE state = 'done'") == 3);

        driver = chromium();
        String base = "http://127.0.0.1:" + node.webPort();
        driver.get(base + "/patient?id=" + DemoCommand.DEMO_PATIENT_ID + "&issuer=");
        assertThat(driver.getCurrentUrl()).contains("/login");
        driver.findElement(By.id("user")).sendKeys(TestNodes.WEB_USER);
        driver.findElement(By.id("password")).sendKeys(TestNodes.WEB_PASSWORD);
        driver.findElement(By.id("submit")).click();
        new WebDriverWait(driver, Duration.ofSeconds(15)).until(d -> !d.findElements(By.cssSelector("section.study")).isEmpty());
        assertThat(driver.findElement(By.id("patient-name")).getText()).isEqualTo("Demo^Patient");

        Object points = js("const c = echarts.getInstanceByDom(document.getElementById('chart-volume')).getOption();"
                + " return c.series[0].data.filter(v => v !== null).length;");
        assertThat(points).isEqualTo(3L);
        screenshot("demo-patient-history.png");

        driver.findElements(By.cssSelector("section.study a.study-link")).get(0).click();
        new WebDriverWait(driver, Duration.ofSeconds(15)).until(d ->
                (Boolean) js("const i = document.getElementById('overlay'); return i != null && i.complete && i.naturalWidth > 0;"));
        assertThat(js("return document.getElementById('overlay').naturalWidth")).isEqualTo((long) size);
        assertThat(js("return document.getElementById('overlay').naturalHeight")).isEqualTo((long) size);
        screenshot("demo-study.png");
    }

    private Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    private void screenshot(String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        Files.write(SCREENSHOTS.resolve(name), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }

    private ChromeDriver chromium() throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,1000", "--lang=en-US",
                "--user-data-dir=" + Files.createTempDirectory(tmp, "chromium-profile"));
        // the driver path given explicitly: otherwise Selenium Manager tries the internet
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }
}
