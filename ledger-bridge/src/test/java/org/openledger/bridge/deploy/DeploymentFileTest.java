package org.openledger.bridge.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deployment.json round-trips, and a file from before flags (a "slasher" role) still reads. */
class DeploymentFileTest {

  @Test
  void shouldRoundTripAndReadTheOldSlasherRoleAsTheFlagger(@TempDir Path dir) throws Exception {
    Deployment d =
        new Deployment(
            1337,
            5,
            "cancun",
            Map.of("OpenToken", new Deployment.DeployedContract("0x01", "ab")),
            new Deployment.Roles("0xd", "0xs", "0xf", "0xt", "0xg"));
    Path file = dir.resolve("deployment.json");
    d.write(file);
    assertThat(Deployment.read(file)).isEqualTo(d);

    Files.writeString(file, Files.readString(file).replace("\"flagger\"", "\"slasher\""));

    assertThat(Deployment.read(file).roles().flagger()).isEqualTo("0xf");
  }
}
