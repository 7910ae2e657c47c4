#include "services/common/config_file.h"

#include <istream>
#include <memory>
#include <string>
#include <vector>

namespace consular {
namespace {

// CLI11's TOML reader that refuses, naming it, a key that is not one of the app's flags; CLI11
// itself would only say "INI was not able to parse" it.
class StrictConfig final : public CLI::ConfigTOML {
 public:
  explicit StrictConfig(const CLI::App* app) : app_(app) {}

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    std::vector<CLI::ConfigItem> items = CLI::ConfigTOML::from_config(input);
    for (const CLI::ConfigItem& item : items) {
      if (!item.parents.empty()) {
        throw CLI::ConfigError("--config: unknown section [" + item.parents.front() +
                               "]: the settings are keys at the top of the file");
      }
      if (app_->get_option_no_throw("--" + item.name) == nullptr) {
        throw CLI::ConfigError("--config: unknown setting \"" + item.name +
                               "\": the keys are the long flags without their dashes (see --help)");
      }
    }
    return items;
  }

 private:
  const CLI::App* app_;
};

}  // namespace

void AddConfigFileFlag(CLI::App& app) {
  app.set_config("--config", "",
                 "TOML file of settings: each key a long flag without its dashes "
                 "(pool-size = 16). The command line wins over it, it over the environment");
  app.config_formatter(std::make_shared<StrictConfig>(&app));
  app.allow_config_extras(CLI::config_extras_mode::error);
}

}  // namespace consular
